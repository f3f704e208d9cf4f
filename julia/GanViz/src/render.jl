# One entry point for every figure kind, called by ganlab's Python bridge
# (`ganlab.render.makie.render_makie`) and usable from Julia.

# Keyword options each kind accepts, besides `dpi`, which all accept.
const KIND_OPTIONS = Dict(
    "overview" => (:panels, :scalars, :size),
    "snapshot" => (:step, :sample_arrows, :size),
    "animation" => (:every, :framerate, :size),
)

"""
    render(traj, kind, out; dpi=nothing, options...) -> String
    render(path, kind, out; dpi=nothing, options...) -> String

Draw figure kind `kind` (`"overview"`, `"snapshot"` or `"animation"`) of a
trajectory, or of the store at `path`, and write it to `out`. Figures go to
.png, .pdf or .svg and animations to .mp4 or .gif. `dpi` sets the bitmap
resolution (default 150). The other options are those of the kind:

- `overview`: `panels`, `scalars`, `size`
- `snapshot`: `step`, `sample_arrows`, `size`
- `animation`: `every`, `framerate`, `size`

`size` is `(width, height)` in inches. Options set to `nothing` take the
kind's default. Returns `out`.

# Example
```julia
using GanViz
render("runs/ring8", "overview", "overview.png"; panels=8, dpi=200)
```
"""
function render(traj::Trajectory, kind::AbstractString, out::AbstractString; dpi=nothing,
                options...)
    if !haskey(KIND_OPTIONS, kind)
        throw(ArgumentError("unknown figure kind \"$kind\"; GanViz draws " *
                            "$(join(sort(collect(keys(KIND_OPTIONS))), ", "))"))
    end
    accepted = KIND_OPTIONS[kind]
    given = Dict{Symbol,Any}()
    for (name, value) in options
        if !(name in accepted)
            throw(ArgumentError("option $name does not apply to the $kind figure; it accepts " *
                                "$(join(string.(accepted), ", ")) and dpi"))
        end
        value === nothing || (given[name] = value)
    end

    if kind == "animation"
        return animation(traj, out; dpi=dpi, given...)
    end
    output_extension(out, FIGURE_EXTENSIONS)
    fig = kind == "overview" ? overview(traj; given...) : snapshot(traj; given...)
    return save_figure(fig, out; dpi=dpi)
end

function render(path::AbstractString, kind::AbstractString, out::AbstractString; options...)
    return render(load_trajectory(path), kind, out; options...)
end

"""
    user_error_message(exception) -> Union{String,Nothing}

The message of an error caused by the caller's input (an `ArgumentError`), or
`nothing` for any other exception. The Python bridge turns such messages into
`ganlab.errors.UsageError`.
"""
user_error_message(exception::ArgumentError) = exception.msg
user_error_message(exception) = nothing
