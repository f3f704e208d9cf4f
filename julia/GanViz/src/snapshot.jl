# Figure kind `snapshot`: one snapshot with the discriminator surface, the
# input gradient ∇ₓD as arrows and the generator manifold.

"""
    snapshot(traj; step=nothing, sample_arrows=false, size=nothing) -> Figure

One snapshot of training: the discriminator surface, ∇ₓD on the coarse
field grid as arrows, the generator manifold (the image of a latent grid,
drawn as a mesh of lines for a 2D latent grid or as a curve for a 1D one),
and the real and generated points. 1D data shows the discriminator curve,
the real and generated histograms and ∇ₓD as horizontal arrows on the x axis.

# Attributes
- `step = nothing`: generator step; the nearest recorded snapshot is drawn,
  the last finite one by default.
- `sample_arrows = false`: also draw ∇ₓD at the generated samples.
- `size = nothing`: `(width, height)` in inches; default 6 × 5 in.

Arrows are scaled so that the longest one spans 0.9 field-grid spacings; the
scale is in `snapshot_data(traj).arrow_scale`.

# Example
```julia
using GanViz
fig = snapshot(load_trajectory("runs/ring8"); step=2000)
GanViz.save_figure(fig, "snapshot.pdf")
```
"""
function snapshot(traj::Trajectory; step=nothing, sample_arrows::Bool=false, size=nothing)
    data = snapshot_data(traj; step=step, sample_arrows=sample_arrows)
    fig = Figure(; size=figure_units(size, (6.0, 5.0)))
    title = step_title(data.step)
    note = diverged_note(data.diverged_step)
    if note !== nothing
        title = "$title ($note)"
    end

    if data.dim == 2
        draw_snapshot_2d!(fig, data, title)
    else
        draw_snapshot_1d!(fig, data, title)
    end
    return fig
end

"""
    snapshot_data(traj; step=nothing, sample_arrows=false) -> NamedTuple

What `snapshot` draws, as plain arrays:

- `dim`, `index`, `step`: data dimension, chosen snapshot (1-based) and its step
- `kind`, `label`, `limits`: surface kind, colour-bar label, colour limits
- `grid_x`, `grid_y`, `surface`: the surface as in `surface_at`
- `real`, `samples`: `(M, d)` and `(N, d)` points
- `arrow_origins`, `arrow_vectors`: `(n, 2)` tails and unscaled ∇ₓD vectors
  on the field grid (see `field_arrows`); `arrow_scale`: the length factor
- `sample_arrow_vectors`: `(N, 2)` unscaled ∇ₓD at the samples, or `nothing`
- `manifold_lines`: polylines of the manifold (see `manifold_lines`);
  `manifold_points`: the `(m, d)` manifold points, or `nothing`
- `diverged_step`: step of the first non-finite snapshot, or `nothing`
"""
function snapshot_data(traj::Trajectory; step=nothing, sample_arrows::Bool=false)
    dim = require_drawable_dim(traj)
    usable, diverged_step = usable_snapshot_count(traj)
    steps = snapshot_steps(traj)
    index = nearest_snapshot(steps[1:usable], step)
    kind = surface_kind(traj)
    surface = surface_at(traj, index, kind)

    grid_x = Float64.(vec(require_array(traj, "grid_x"; static=true)))
    grid_y = dim == 2 ? Float64.(vec(require_array(traj, "grid_y"; static=true))) : nothing
    real = Matrix{Float64}(require_array(traj, "real"; static=true))
    samples = points_at(require_array(traj, "samples"), index)

    arrow_origins, arrow_vectors = field_arrows(traj, index)
    field_x = Float64.(vec(require_array(traj, "field_x"; static=true)))
    field_y = dim == 2 ? Float64.(vec(require_array(traj, "field_y"; static=true))) : nothing
    scale = arrow_scale(max_row_norm(arrow_vectors), field_x, field_y)

    sample_arrow_vectors = nothing
    if sample_arrows
        gradients = points_at(require_array(traj, "sample_grad"), index)
        sample_arrow_vectors = dim == 2 ? gradients : hcat(gradients, zeros(size(gradients, 1)))
    end

    manifold = snapshot_array(traj, "manifold")
    manifold_points = manifold === nothing ? nothing : points_at(manifold, index)
    polylines = (manifold_points === nothing || dim != 2) ? Matrix{Float64}[] :
                manifold_lines(manifold_points, manifold_shape(traj))

    return (; dim, index, step=steps[index], kind, label=surface_label(kind),
            limits=surface_limits((surface,), kind), grid_x, grid_y, surface, real, samples,
            arrow_origins, arrow_vectors, arrow_scale=scale, sample_arrow_vectors,
            manifold_lines=polylines, manifold_points, diverged_step)
end

function draw_snapshot_2d!(fig, data, title)
    ax = Axis(fig[1, 1]; title=title, aspect=DataAspect(), xlabel="x₁", ylabel="x₂")
    heatmap!(ax, data.grid_x, data.grid_y, data.surface; colormap=SURFACE_COLORMAP,
             colorrange=data.limits)
    Colorbar(fig[1, 2]; colormap=SURFACE_COLORMAP, limits=data.limits, label=data.label)

    arrows2d!(ax, as_points(data.arrow_origins), as_vectors(data.arrow_vectors, data.arrow_scale);
              color=ARROW_COLOR, label="∇ₓD")
    if !isempty(data.manifold_lines)
        lines!(ax, join_lines(data.manifold_lines); color=MANIFOLD_COLOR, linewidth=1,
               label="manifold")
    elseif data.manifold_points !== nothing
        scatter!(ax, as_points(data.manifold_points); color=MANIFOLD_COLOR, markersize=2,
                 label="manifold")
    end
    draw_points!(ax, data.real, as_points(data.samples))
    if data.sample_arrow_vectors !== nothing
        arrows2d!(ax, as_points(data.samples), as_vectors(data.sample_arrow_vectors,
                  data.arrow_scale); color=GENERATED_COLOR)
    end

    limits!(ax, extrema(data.grid_x)..., extrema(data.grid_y)...)
    axislegend(ax; position=:rb, framevisible=false, labelsize=10)
    return ax
end

function draw_snapshot_1d!(fig, data, title)
    ax = Axis(fig[1, 1]; title=title, xlabel="x", ylabel="density")
    edges = range(extrema(data.grid_x)...; length=41)
    hist!(ax, data.real[:, 1]; bins=edges, normalization=:pdf, color=(REAL_COLOR, 0.3),
          label="real")
    hist!(ax, data.samples[:, 1]; bins=edges, normalization=:pdf,
          color=(GENERATED_COLOR, 0.5), label="generated")

    curve_axis = Axis(fig[1, 1]; yaxisposition=:right, ylabel=data.label)
    hidespines!(curve_axis)
    hidexdecorations!(curve_axis)
    linkxaxes!(ax, curve_axis)
    lines!(curve_axis, data.grid_x, data.surface; color=:black, linewidth=1.5)
    ylims!(curve_axis, data.limits...)

    arrows2d!(ax, as_points(data.arrow_origins), as_vectors(data.arrow_vectors, data.arrow_scale);
              color=ARROW_COLOR)
    if data.sample_arrow_vectors !== nothing
        tails = hcat(data.samples[:, 1], zeros(size(data.samples, 1)))
        arrows2d!(ax, as_points(tails), as_vectors(data.sample_arrow_vectors, data.arrow_scale);
                  color=GENERATED_COLOR)
    end
    axislegend(ax; position=:lt, framevisible=false)
    return ax
end
