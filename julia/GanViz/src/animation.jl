# Figure kind `animation`: one video frame per snapshot. The figure and its
# plots are built once on Observables; each frame only replaces their data.

"""
    animation(traj, out; every=1, framerate=10, size=nothing, dpi=nothing) -> String

Write a video of training to `out` (.mp4 or .gif) with Makie's `record`, one
frame per recorded snapshot: the discriminator surface, ∇ₓD arrows, the
generator manifold and the real and generated points (1D data: the
discriminator curve and the generated samples on the x axis). Colour limits,
axis limits and the arrow scale stay fixed over the video so frames compare.
A diverged run stops at its last finite snapshot.

# Attributes
- `every = 1`: use every `every`-th snapshot.
- `framerate = 10`: frames per second.
- `size = nothing`: `(width, height)` in inches; default 6 × 5 in.
- `dpi = nothing`: pixels per inch of the frames; default 150.

# Example
```julia
using GanViz
animation(load_trajectory("runs/ring8"), "training.mp4"; every=2, framerate=15)
```
"""
function animation(traj::Trajectory, out::AbstractString; every::Integer=1,
                   framerate::Integer=10, size=nothing, dpi=nothing)
    output_extension(out, VIDEO_EXTENSIONS)
    framerate >= 1 || throw(ArgumentError("framerate must be at least 1 frame per second, " *
                                          "got $framerate"))
    data = animation_data(traj; every=every)
    first_frame = frame_data(traj, data, 1)
    fig = Figure(; size=figure_units(size, (6.0, 5.0)))

    title = Observable(frame_title(data, 1))
    surface = Observable(first_frame.surface)
    samples = Observable(frame_points(data, first_frame.samples))
    arrows = Observable(as_vectors(first_frame.arrow_vectors, data.arrow_scale))
    manifold = Observable(join_lines(first_frame.manifold_lines))

    if data.dim == 2
        draw_animation_2d!(fig, data, title, surface, samples, arrows, manifold)
    else
        draw_animation_1d!(fig, data, title, surface, samples, arrows)
    end

    record(fig, out, eachindex(data.indices); framerate=framerate,
           px_per_unit=pixels_per_unit(dpi)) do frame
        current = frame_data(traj, data, frame)
        surface[] = current.surface
        samples[] = frame_points(data, current.samples)
        arrows[] = as_vectors(current.arrow_vectors, data.arrow_scale)
        manifold[] = join_lines(current.manifold_lines)
        title[] = frame_title(data, frame)
    end
    return String(out)
end

"""
    animation_data(traj; every=1) -> NamedTuple

What stays fixed over the frames of `animation`:

- `dim`, `indices`, `steps`: data dimension, snapshot of each frame (1-based),
  and its generator step
- `kind`, `label`, `limits`: surface kind, colour-bar label and colour limits
  over all frames
- `grid_x`, `grid_y`, `real`, `arrow_origins`: the static parts
- `arrow_scale`: one length factor for all frames, from the longest ∇ₓD
  vector over the frames
- `diverged_step`: step of the first non-finite snapshot, or `nothing`

`frame_data(traj, data, frame)` gives the arrays that change per frame.
"""
function animation_data(traj::Trajectory; every::Integer=1)
    every >= 1 || throw(ArgumentError("every must be at least 1, got $every"))
    dim = require_drawable_dim(traj)
    usable, diverged_step = usable_snapshot_count(traj)
    indices = collect(1:every:usable)
    steps = snapshot_steps(traj)[indices]
    kind = surface_kind(traj)

    surfaces = (surface_at(traj, t, kind) for t in indices)
    limits = surface_limits(surfaces, kind)

    grid_x = Float64.(vec(require_array(traj, "grid_x"; static=true)))
    grid_y = dim == 2 ? Float64.(vec(require_array(traj, "grid_y"; static=true))) : nothing
    real = Matrix{Float64}(require_array(traj, "real"; static=true))

    arrow_origins, _ = field_arrows(traj, indices[1])
    longest = maximum(max_row_norm(field_arrows(traj, t)[2]) for t in indices)
    field_x = Float64.(vec(require_array(traj, "field_x"; static=true)))
    field_y = dim == 2 ? Float64.(vec(require_array(traj, "field_y"; static=true))) : nothing

    return (; dim, indices, steps, kind, label=surface_label(kind), limits, grid_x, grid_y,
            real, arrow_origins, arrow_scale=arrow_scale(longest, field_x, field_y),
            diverged_step)
end

"""
    frame_data(traj, data, frame) -> NamedTuple

The arrays of one frame (`frame` counts frames, from 1): `surface`, `samples`,
unscaled `arrow_vectors` and `manifold_lines`.
"""
function frame_data(traj::Trajectory, data, frame::Integer)
    t = data.indices[frame]
    surface = surface_at(traj, t, data.kind)
    samples = points_at(require_array(traj, "samples"), t)
    _, arrow_vectors = field_arrows(traj, t)
    manifold = snapshot_array(traj, "manifold")
    polylines = (manifold === nothing || data.dim != 2) ? Matrix{Float64}[] :
                manifold_lines(points_at(manifold, t), manifold_shape(traj))
    return (; surface, samples, arrow_vectors, manifold_lines=polylines)
end

# 1D samples are drawn on the x axis, at height 0.
function frame_points(data, samples::AbstractMatrix)
    data.dim == 2 && return as_points(samples)
    return [Point2f(samples[k, 1], 0) for k in axes(samples, 1)]
end

function frame_title(data, frame::Integer)
    title = step_title(data.steps[frame])
    if frame == length(data.indices) && data.diverged_step !== nothing
        title = "$title ($(diverged_note(data.diverged_step)))"
    end
    return title
end

function draw_animation_2d!(fig, data, title, surface, samples, arrows, manifold)
    ax = Axis(fig[1, 1]; title=title, aspect=DataAspect(), xlabel="x₁", ylabel="x₂")
    heatmap!(ax, data.grid_x, data.grid_y, surface; colormap=SURFACE_COLORMAP,
             colorrange=data.limits)
    Colorbar(fig[1, 2]; colormap=SURFACE_COLORMAP, limits=data.limits, label=data.label)
    arrows2d!(ax, as_points(data.arrow_origins), arrows; color=ARROW_COLOR)
    lines!(ax, manifold; color=MANIFOLD_COLOR, linewidth=1)
    draw_points!(ax, data.real, samples)
    limits!(ax, extrema(data.grid_x)..., extrema(data.grid_y)...)
    return ax
end

function draw_animation_1d!(fig, data, title, surface, samples, arrows)
    ax = Axis(fig[1, 1]; title=title, xlabel="x", ylabel=data.label)
    lines!(ax, data.grid_x, surface; color=:black, linewidth=1.5)
    scatter!(ax, data.real[:, 1], zeros(Base.size(data.real, 1)); color=REAL_COLOR,
             marker=:vline, markersize=8)
    scatter!(ax, samples; color=(:white, 0.0), strokecolor=GENERATED_COLOR, strokewidth=1,
             markersize=7)
    arrows2d!(ax, as_points(data.arrow_origins), arrows; color=ARROW_COLOR)
    limits!(ax, extrema(data.grid_x)..., data.limits...)
    return ax
end
