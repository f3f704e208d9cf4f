# Figure kind `overview`: small multiples of the discriminator surface over
# training with real and generated samples, and the loss curves below.

"""
    overview(traj; panels=6, scalars=nothing, size=nothing) -> Figure

Small multiples over training time, one panel per chosen snapshot, in the
style of the snapshot rows of Metz et al. 2016 ("Unrolled GANs", Fig. 1):
each panel shows the discriminator surface over the grid (2D data) with the
real points and the generated samples on top; 1D data shows the real and
generated histograms with the discriminator curve on a second y axis. A
bottom row draws the scalar loss curves against the generator step.

# Attributes
- `panels = 6`: snapshots shown, evenly spaced over training, first and last
  included; fewer when the run has fewer snapshots.
- `scalars = nothing`: names of the `scalars` series to draw; `nothing` draws
  every series whose name contains `"loss"`.
- `size = nothing`: `(width, height)` in inches; default 2.4 in per panel by 5 in.

# Example
```julia
using GanViz
traj = load_trajectory("runs/ring8")
fig = overview(traj; panels=8)
GanViz.save_figure(fig, "overview.png"; dpi=150)
```
"""
function overview(traj::Trajectory; panels::Integer=6, scalars=nothing, size=nothing)
    data = overview_data(traj; panels=panels, scalars=scalars)
    count = length(data.indices)
    fig = Figure(; size=figure_units(size, (0.6 + 2.4 * count, 5.0)))

    for (j, index) in enumerate(data.indices)
        title = step_title(data.steps[j])
        if data.dim == 2
            draw_overview_panel_2d!(fig[1, j], data, j, title)
        else
            draw_overview_panel_1d!(fig[1, j], data, j, title)
        end
    end
    if data.dim == 2
        Colorbar(fig[1, count + 1]; colormap=SURFACE_COLORMAP, limits=data.limits,
                 label=data.label)
    end

    draw_losses!(fig[2, 1:count], data)
    rowsize!(fig.layout, 2, Relative(0.3))

    note = diverged_note(data.diverged_step)
    if note !== nothing
        Label(fig[0, 1:count], note; color=GENERATED_COLOR, font=:bold)
    end
    return fig
end

"""
    overview_data(traj; panels=6, scalars=nothing) -> NamedTuple

What `overview` draws, as plain arrays:

- `dim`: 1 or 2
- `indices`, `steps`: the chosen snapshots (1-based) and their generator steps
- `kind`, `label`, `limits`: `:probability` or `:critic`, the colour-bar
  label and the colour limits shared by all panels
- `grid_x`, `grid_y`: surface grid (`grid_y` is `nothing` for 1D data)
- `surfaces`: one `(W, H)` matrix per panel for 2D data (see `surface_at`),
  one vector over `grid_x` for 1D data
- `real`: `(M, d)` real points; `samples`: one `(N, d)` matrix per panel
- `loss_step`, `loss_names`, `loss_values`: the loss curves
- `diverged_step`: step of the first non-finite snapshot, or `nothing`

Panels are chosen among the finite snapshots only.
"""
function overview_data(traj::Trajectory; panels::Integer=6, scalars=nothing)
    dim = require_drawable_dim(traj)
    usable, diverged_step = usable_snapshot_count(traj)
    indices = spread_indices(usable, panels)
    steps = snapshot_steps(traj)[indices]
    kind = surface_kind(traj)

    surfaces = [surface_at(traj, t, kind) for t in indices]
    samples_array = require_array(traj, "samples")
    samples = [points_at(samples_array, t) for t in indices]

    grid_x = Float64.(vec(require_array(traj, "grid_x"; static=true)))
    grid_y = dim == 2 ? Float64.(vec(require_array(traj, "grid_y"; static=true))) : nothing
    real = Matrix{Float64}(require_array(traj, "real"; static=true))

    loss_step, loss_names, loss_values = loss_curves(traj, scalars)

    return (; dim, indices, steps, kind, label=surface_label(kind),
            limits=surface_limits(surfaces, kind), grid_x, grid_y, surfaces, real, samples,
            loss_step, loss_names, loss_values, diverged_step)
end

"""
    loss_curves(traj, names) -> (step, names, values)

The requested `scalars` series, or by default every series whose name
contains `"loss"`, in sorted order.
"""
function loss_curves(traj::Trajectory, names)
    arrays = series_arrays(traj, "scalars")
    isempty(arrays) && return Int[], String[], Vector{Float64}[]

    available = sort([name for name in keys(arrays) if name != SERIES_INDEX])
    chosen = if names === nothing
        [name for name in available if occursin("loss", name)]
    else
        requested = [string(name) for name in names]
        missing_names = setdiff(requested, available)
        if !isempty(missing_names)
            throw(ArgumentError("unknown scalar series $(join(missing_names, ", ")); " *
                                "the run recorded: $(join(available, ", "))"))
        end
        requested
    end

    step = Vector{Int}(vec(arrays[SERIES_INDEX]))
    values = [Float64.(vec(arrays[name])) for name in chosen]
    return step, chosen, values
end

function draw_overview_panel_2d!(position, data, j, title)
    ax = Axis(position; title=title, aspect=DataAspect(), xlabel="x₁",
              ylabel=j == 1 ? "x₂" : "")
    heatmap!(ax, data.grid_x, data.grid_y, data.surfaces[j]; colormap=SURFACE_COLORMAP,
             colorrange=data.limits)
    draw_points!(ax, data.real, as_points(data.samples[j]))
    limits!(ax, extrema(data.grid_x)..., extrema(data.grid_y)...)
    j == 1 || hideydecorations!(ax; grid=false)
    return ax
end

function draw_overview_panel_1d!(position, data, j, title)
    ax = Axis(position; title=title, xlabel="x", ylabel=j == 1 ? "density" : "")
    edges = range(extrema(data.grid_x)...; length=41)
    hist!(ax, data.real[:, 1]; bins=edges, normalization=:pdf, color=(REAL_COLOR, 0.3),
          label="real")
    hist!(ax, data.samples[j][:, 1]; bins=edges, normalization=:pdf,
          color=(GENERATED_COLOR, 0.5), label="generated")

    curve_axis = Axis(position; yaxisposition=:right, ylabel=j == length(data.indices) ?
                      data.label : "")
    hidespines!(curve_axis)
    hidexdecorations!(curve_axis)
    linkxaxes!(ax, curve_axis)
    lines!(curve_axis, data.grid_x, data.surfaces[j]; color=:black, linewidth=1.5)
    ylims!(curve_axis, data.limits...)
    return ax
end

function draw_losses!(position, data)
    ax = Axis(position; xlabel="generator step", ylabel="loss")
    if isempty(data.loss_names)
        text!(ax, 0.5, 0.5; text="no loss series recorded", space=:relative,
              align=(:center, :center))
        return ax
    end
    for (k, name) in enumerate(data.loss_names)
        color = LOSS_COLORS[mod1(k, length(LOSS_COLORS))]
        lines!(ax, data.loss_step, data.loss_values[k]; color=color, label=name)
    end
    axislegend(ax; position=:rt)
    return ax
end
