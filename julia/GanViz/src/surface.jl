# Figure inputs computed from a trajectory: the discriminator surface as shown,
# its colour limits, the choice of snapshots, ∇ₓD arrows and the manifold lines.

# The names of the snapshot arrays checked for non-finite values.
const SNAPSHOT_FIELDS = ("samples", "discriminator", "field", "sample_grad", "manifold")

# Losses whose discriminator output is a critic value (Arjovsky et al. 2017, WGAN)
# rather than a logit; every other ganlab loss stores logits.
const CRITIC_LOSSES = ("wasserstein",)

"""
    surface_kind(traj) -> Symbol

`:probability` when the run's loss (`config.objective.loss`) stores logits, so
the figures show D(x) = σ(logit) on the fixed range [0, 1]; `:critic` for the
Wasserstein loss, whose raw critic values are shown on a symmetric range.
"""
function surface_kind(traj::Trajectory)
    loss = string(config_value(traj, "objective", "loss", "nonsaturating"))
    return loss in CRITIC_LOSSES ? :critic : :probability
end

"""
    sigmoid(x)

The logistic function 1 / (1 + e⁻ˣ), evaluated on the side that cannot overflow.
"""
sigmoid(x::Real) = x >= 0 ? 1 / (1 + exp(-x)) : exp(x) / (1 + exp(x))

surface_values(raw, kind::Symbol) = kind === :probability ? sigmoid.(Float64.(raw)) : Float64.(raw)

surface_label(kind::Symbol) = kind === :probability ? "D(x) = σ(logit)" : "critic value"

"""
    surface_limits(surfaces, kind) -> Tuple{Float64,Float64}

Colour limits shared by all panels: `(0, 1)` for probabilities, and
`(-m, m)` with `m` the largest finite |value| for critic values.
"""
function surface_limits(surfaces, kind::Symbol)
    kind === :probability && return (0.0, 1.0)
    largest = 0.0
    for surface in surfaces, value in surface
        if isfinite(value)
            largest = max(largest, abs(value))
        end
    end
    largest == 0 && return (-1.0, 1.0)
    return (-largest, largest)
end

"""
    spread_indices(count, panels) -> Vector{Int}

Up to `panels` snapshot indices (1-based) spread evenly over `count`
snapshots, the first and the last included; all of them when
`panels >= count`. This repeats the arithmetic of ganlab's matplotlib
renderer (`numpy.round(numpy.linspace(0, count - 1, panels))`: Float64
products `i * step`, ties rounded to even, the last point exact) so that both
backends pick the same snapshots.
"""
function spread_indices(count::Integer, panels::Integer)
    panels >= 1 || throw(ArgumentError("panels must be at least 1, got $panels"))
    count >= 1 || throw(ArgumentError("the trajectory has no committed snapshot yet; " *
                                      "wait for the first snapshot of the run"))
    panels >= count && return collect(1:Int(count))
    panels == 1 && return [1]
    step = (count - 1) / (panels - 1)
    positions = [i * step for i in 0:(panels - 2)]
    push!(positions, count - 1)
    return sort(unique(1 .+ round.(Int, positions)))
end

"""
    nearest_snapshot(steps, step) -> Int

Index of the snapshot whose generator step is nearest to `step` (the first
one on a tie), or the last snapshot when `step === nothing`.
"""
function nearest_snapshot(steps::AbstractVector{<:Integer}, step)
    isempty(steps) && throw(ArgumentError("the trajectory has no committed snapshot yet; " *
                                          "wait for the first snapshot of the run"))
    step === nothing && return length(steps)
    return argmin(abs.(steps .- step))
end

"""
    finite_snapshot_count(traj) -> Int

Number of leading snapshots whose arrays are all finite. A diverged run is
drawn up to its last finite snapshot.
"""
function finite_snapshot_count(traj::Trajectory)
    count = snapshot_count(traj)
    for t in 1:count
        for name in SNAPSHOT_FIELDS
            array = snapshot_array(traj, name)
            array === nothing && continue
            all(isfinite, selectdim(array, 1, t)) || return t - 1
        end
    end
    return count
end

"""
    usable_snapshot_count(traj) -> (usable, diverged_step)

The finite snapshot count and the generator step of the first non-finite
snapshot (`nothing` when all are finite).
"""
function usable_snapshot_count(traj::Trajectory)
    steps = snapshot_steps(traj)
    isempty(steps) && throw(ArgumentError("the trajectory has no committed snapshot yet; " *
                                          "wait for the first snapshot of the run"))
    usable = finite_snapshot_count(traj)
    if usable == 0
        throw(ArgumentError("the first snapshot (step $(steps[1])) already has non-finite " *
                            "values, so there is nothing to draw; check the run's learning rates"))
    end
    diverged_step = usable < length(steps) ? steps[usable + 1] : nothing
    return usable, diverged_step
end

"""
    require_array(traj, name, static) -> Array

The named array, or an `ArgumentError` saying the figure needs it.
"""
function require_array(traj::Trajectory, name::AbstractString; static::Bool=false)
    array = static ? static_array(traj, name) : snapshot_array(traj, name)
    if array === nothing
        throw(ArgumentError("the trajectory has no \"$name\" array, which this figure needs; " *
                            "record it in the run (see the [record] config section)"))
    end
    return array
end

function require_drawable_dim(traj::Trajectory)
    dim = data_dim(traj)
    if !(dim in (1, 2))
        throw(ArgumentError("GanViz draws 1D and 2D data only, this run has dim = $dim; " *
                            "use ganlab's matplotlib backend for other figures"))
    end
    return dim
end

"""
    surface_at(traj, t, kind) -> Array{Float64}

The discriminator surface of snapshot `t` as shown: for 2D data a `(W, H)`
matrix whose entry `[c, r]` is at `(grid_x[c], grid_y[r])`, the orientation
that `heatmap!(ax, grid_x, grid_y, matrix)` expects (the store keeps `(H, W)`);
for 1D data a vector over `grid_x`.
"""
function surface_at(traj::Trajectory, t::Integer, kind::Symbol)
    raw = selectdim(require_array(traj, "discriminator"), 1, t)
    values = surface_values(raw, kind)
    return ndims(values) == 2 ? permutedims(values) : values
end

points_at(array::AbstractArray, t::Integer) = Matrix{Float64}(selectdim(array, 1, t))

"""
    field_arrows(traj, t) -> (origins, vectors)

∇ₓD on the coarse field grid of snapshot `t`, as `(n, 2)` matrices of arrow
tails and unscaled vectors. Row order follows the store: row `r` of `field_y`
outer, column `c` of `field_x` inner. 1D data gives horizontal arrows on the
x axis.
"""
function field_arrows(traj::Trajectory, t::Integer)
    field = selectdim(require_array(traj, "field"), 1, t)
    field_x = Float64.(vec(require_array(traj, "field_x"; static=true)))
    if ndims(field) == 1
        origins = hcat(field_x, zeros(length(field_x)))
        vectors = hcat(Float64.(field), zeros(length(field_x)))
        return origins, vectors
    end

    field_y = Float64.(vec(require_array(traj, "field_y"; static=true)))
    rows, columns = length(field_y), length(field_x)
    origins = Matrix{Float64}(undef, rows * columns, 2)
    vectors = Matrix{Float64}(undef, rows * columns, 2)
    for r in 1:rows, c in 1:columns
        k = (r - 1) * columns + c
        origins[k, 1] = field_x[c]
        origins[k, 2] = field_y[r]
        vectors[k, 1] = field[r, c, 1]
        vectors[k, 2] = field[r, c, 2]
    end
    return origins, vectors
end

"""
    arrow_scale(max_norm, field_x, field_y) -> Float64

Factor that makes the longest arrow 0.9 grid spacings long, so arrows do not
overlap their neighbours. 1 when every vector is zero.
"""
function arrow_scale(max_norm::Real, field_x::AbstractVector, field_y)
    spacing = grid_spacing(field_x)
    if field_y !== nothing
        spacing = min(spacing, grid_spacing(field_y))
    end
    (max_norm > 0 && isfinite(max_norm)) || return 1.0
    return 0.9 * spacing / max_norm
end

function grid_spacing(values::AbstractVector)
    length(values) < 2 && return 1.0
    return (maximum(values) - minimum(values)) / (length(values) - 1)
end

max_row_norm(vectors::AbstractMatrix) =
    maximum((LinearAlgebra.norm(view(vectors, k, :)) for k in axes(vectors, 1)); init=0.0)

"""
    manifold_lines(points, shape) -> Vector{Matrix{Float64}}

The generator manifold of one snapshot as polylines. `points` is the `(m, d)`
image of the latent grid; `shape` is the `manifold_shape` attribute. A shape
`[a]` gives one curve; `[a, b]` gives the `a` rows and `b` columns of the
grid, assuming the latent grid is stored row-major (numpy `reshape` order).
Any other shape, or one that does not match `m`, gives no lines.
"""
function manifold_lines(points::AbstractMatrix, shape)
    m = size(points, 1)
    shape === nothing && return Matrix{Float64}[]
    dims = Int.(collect(shape))
    if length(dims) == 1 && dims[1] == m
        return [Matrix{Float64}(points)]
    end
    if length(dims) == 2 && dims[1] * dims[2] == m
        a, b = dims
        rows = [Matrix{Float64}(points[(i * b + 1):((i + 1) * b), :]) for i in 0:(a - 1)]
        columns = [Matrix{Float64}(points[(j + 1):b:m, :]) for j in 0:(b - 1)]
        return vcat(rows, columns)
    end
    return Matrix{Float64}[]
end

"""
    manifold_shape(traj)

The `manifold_shape` attribute, or `[m]` when the latent grid is 1D, or
`nothing` when the shape cannot be told.
"""
function manifold_shape(traj::Trajectory)
    haskey(traj.attrs, "manifold_shape") && return traj.attrs["manifold_shape"]
    latent = static_array(traj, "manifold_latent")
    if latent !== nothing && (ndims(latent) == 1 || size(latent, 2) == 1)
        return [size(latent, 1)]
    end
    return nothing
end

"""
    join_lines(lines) -> Vector{Point2f}

Polylines joined into one vector with NaN separators, so one `lines!` plot
draws them all and its points can be replaced frame by frame.
"""
function join_lines(lines::AbstractVector)
    joined = Point2f[]
    for line in lines
        isempty(joined) || push!(joined, Point2f(NaN, NaN))
        for k in axes(line, 1)
            push!(joined, Point2f(line[k, 1], line[k, 2]))
        end
    end
    return joined
end
