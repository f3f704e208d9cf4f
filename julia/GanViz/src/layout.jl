# Shared style, figure sizes and file output of the figure kinds.

# Okabe–Ito colours (Okabe and Ito 2008, "Color Universal Design"), readable
# with colour-vision deficiencies. Real points are small filled black dots and
# generated points larger hollow circles, so the two differ in grayscale too.
const REAL_COLOR = :black
const GENERATED_COLOR = "#D55E00"
const ARROW_COLOR = "#CC79A7"
const MANIFOLD_COLOR = "#56B4E9"
const LOSS_COLORS = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#F0E442"]

# cividis is perceptually uniform and keeps its order in grayscale.
const SURFACE_COLORMAP = :cividis

# CairoMakie draws one figure unit as 1/96 inch in vector output (pt_per_unit = 0.75)
# and as px_per_unit pixels in bitmaps, so a bitmap has dpi = 96 * px_per_unit.
const UNITS_PER_INCH = 96
const DEFAULT_DPI = 150

const FIGURE_EXTENSIONS = (".png", ".pdf", ".svg")
const VIDEO_EXTENSIONS = (".mp4", ".gif")

"""
    figure_units(size_inches, default_inches) -> Tuple{Int,Int}

Figure size in Makie units for a `(width, height)` size in inches; `nothing`
selects the default. Both sides are rounded to even numbers because H.264
video needs even pixel dimensions.
"""
function figure_units(size_inches, default_inches)
    inches = size_inches === nothing ? default_inches : size_inches
    if length(inches) != 2 || any(value -> !(value > 0), inches)
        throw(ArgumentError("size must be (width, height) in inches, both positive; got $(inches)"))
    end
    return (2 * round(Int, inches[1] * UNITS_PER_INCH / 2),
            2 * round(Int, inches[2] * UNITS_PER_INCH / 2))
end

"""
    pixels_per_unit(dpi) -> Float64

Bitmap pixels per figure unit for a resolution in dots per inch.
"""
function pixels_per_unit(dpi)
    value = dpi === nothing ? DEFAULT_DPI : dpi
    value > 0 || throw(ArgumentError("dpi must be positive, got $value"))
    return value / UNITS_PER_INCH
end

"""
    output_extension(out, accepted) -> String

The lowercase extension of `out`, or an `ArgumentError` naming the accepted ones.
"""
function output_extension(out::AbstractString, accepted)
    extension = lowercase(splitext(out)[2])
    if !(extension in accepted)
        throw(ArgumentError("cannot write \"$out\": the extension \"$extension\" is not one of " *
                            "$(join(accepted, ", ")) for this figure kind"))
    end
    return extension
end

"""
    save_figure(fig, out; dpi=nothing) -> String

Write a figure to `out` (.png, .pdf or .svg); `dpi` sets the bitmap
resolution and is ignored by vector formats.
"""
function save_figure(fig::Figure, out::AbstractString; dpi=nothing)
    extension = output_extension(out, FIGURE_EXTENSIONS)
    if extension == ".png"
        save(out, fig; px_per_unit=pixels_per_unit(dpi))
    else
        save(out, fig)
    end
    return String(out)
end

step_title(step::Integer) = "step $step"

diverged_note(step) = step === nothing ? nothing : "diverged at step $step"

"""
    data_limits(traj, dim) -> (xlimits, ylimits)

Axis limits that hold the grid of the surface, so every panel and frame shares
them.
"""
function data_limits(traj::Trajectory, dim::Integer)
    grid_x = Float64.(vec(require_array(traj, "grid_x"; static=true)))
    xlimits = (minimum(grid_x), maximum(grid_x))
    dim == 1 && return xlimits, nothing
    grid_y = Float64.(vec(require_array(traj, "grid_y"; static=true)))
    return xlimits, (minimum(grid_y), maximum(grid_y))
end

function draw_points!(ax, real::AbstractMatrix, samples)
    scatter!(ax, real[:, 1], real[:, 2]; color=REAL_COLOR, markersize=3, label="real")
    scatter!(ax, samples; color=(:white, 0.0), strokecolor=GENERATED_COLOR, strokewidth=1,
             markersize=7, label="generated")
end

as_points(matrix::AbstractMatrix) = [Point2f(matrix[k, 1], matrix[k, 2]) for k in axes(matrix, 1)]
as_vectors(matrix::AbstractMatrix, scale::Real) =
    [Vec2f(scale * matrix[k, 1], scale * matrix[k, 2]) for k in axes(matrix, 1)]
