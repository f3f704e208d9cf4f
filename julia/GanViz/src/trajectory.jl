# The in-memory trajectory and its constructor from arrays handed over by Python.

# Name of the root series group and of its index array, as in ganlab's store schema.
const SNAPSHOT_SERIES = ""
const SNAPSHOT_INDEX = "steps"
const SERIES_INDEX = "step"

"""
    Trajectory

The recorded trajectory of one ganlab run, committed rows only.

Arrays keep the index order of the trajectory schema (the numpy order):
`samples[t, i, k]` is coordinate `k` of sample `i` at snapshot `t`, and
`discriminator[t, r, c]` is the value at `(grid_x[c], grid_y[r])`.

Fields:
- `path`: where the trajectory was read from (`"<python>"` for arrays handed over by juliacall)
- `backend`: `"hdf5"`, `"zarr"` or `"python"`
- `attrs`: root attributes, with `config` decoded
- `config`: the resolved run config as a `JSON3.Object` (empty when the store has none)
- `static`: arrays written once (`real`, `latent`, `grid_x`, `grid_y`, `field_x`, ...)
- `snapshots`: the root series (`steps`, `samples`, `discriminator`, `field`, ...)
- `series`: the other series by group name (`scalars`, `metrics`, ...), each with its `step` index
"""
struct Trajectory
    path::String
    backend::String
    attrs::Dict{String,Any}
    config::Any
    static::Dict{String,Array}
    snapshots::Dict{String,Array}
    series::Dict{String,Dict{String,Array}}
end

"""
    Trajectory(attrs_json, static, series; path="<python>")

Build a trajectory from arrays handed over by Python through juliacall; this
mirrors `ganlab.trajectory.Trajectory.from_arrays(attrs, static, series)`.

`attrs_json` is the root attributes as one JSON string. `static` maps names to
arrays. `series` maps a group name (`""` for the snapshots) to a mapping of
array names to arrays, index array included (`steps` for snapshots, `step`
otherwise).

juliacall converts a Python `dict` to a `PyDict` and a numpy array to a
`PyArray` whose size and indexing follow the numpy shape (so a C-ordered
`(T, N, d)` array has `size == (T, N, d)` here). Each array is copied into a
plain `Array`, so the trajectory does not keep Python memory alive.

# Example
```julia
traj = Trajectory("{\\"dim\\": 2}", Dict("real" => randn(100, 2)),
                  Dict("" => Dict("steps" => [0, 10], "samples" => randn(2, 64, 2))))
```
"""
function Trajectory(attrs_json::AbstractString, static::AbstractDict, series::AbstractDict;
                    path::AbstractString="<python>")
    attributes = decode_attrs(JSON3.read(attrs_json; allow_inf=true))

    static_arrays = Dict{String,Array}()
    for (name, array) in static
        static_arrays[string(name)] = copy_array(array)
    end

    groups = Dict{String,Dict{String,Array}}()
    for (group, arrays) in series
        group_arrays = Dict{String,Array}()
        for (name, array) in arrays
            group_arrays[string(name)] = copy_array(array)
        end
        groups[string(group)] = group_arrays
    end
    snapshots = pop!(groups, SNAPSHOT_SERIES, Dict{String,Array}())

    return build_trajectory(path, "python", attributes, static_arrays, snapshots, groups)
end

copy_array(array::AbstractArray) = Array(array)
function copy_array(value)
    throw(ArgumentError("expected an array, got a value of type $(typeof(value)); " *
                        "hand arrays over as numpy arrays"))
end

"""
    decode_attrs(object) -> Dict{String,Any}

Turn the root attributes into a `Dict` and decode the `config` attribute from
its JSON string, as the store keeps it.
"""
function decode_attrs(object)
    attributes = Dict{String,Any}()
    for (key, value) in pairs(object)
        attributes[string(key)] = value
    end
    config = get(attributes, "config", nothing)
    if config isa AbstractString
        attributes["config"] = JSON3.read(config)
    elseif config === nothing
        attributes["config"] = JSON3.read("{}")
    end
    return attributes
end

"""
    build_trajectory(path, backend, attrs, static, snapshots, series)

Check that every series array has at least as many rows as its index array
and keep only those rows, so a trajectory never shows rows that the writer did
not commit.
"""
function build_trajectory(path, backend, attrs, static, snapshots, series)
    committed_snapshots = committed_rows(snapshots, SNAPSHOT_INDEX, "snapshots")
    committed_series = Dict{String,Dict{String,Array}}()
    for (group, arrays) in series
        committed_series[group] = committed_rows(arrays, SERIES_INDEX, group)
    end
    return Trajectory(string(path), backend, attrs, attrs["config"], static,
                      committed_snapshots, committed_series)
end

function committed_rows(arrays::Dict{String,Array}, index_name, group)
    isempty(arrays) && return arrays
    if !haskey(arrays, index_name)
        throw(ArgumentError("series group \"$group\" has no index array \"$index_name\"; " *
                            "every series needs one (see docs/trajectory-format.md)"))
    end
    count = length(arrays[index_name])
    result = Dict{String,Array}()
    for (name, array) in arrays
        if size(array, 1) < count
            throw(ArgumentError("array \"$name\" of series group \"$group\" has " *
                                "$(size(array, 1)) rows but the index has $count; " *
                                "the store is inconsistent, rewrite it with ganlab"))
        end
        result[name] = collect(selectdim(array, 1, 1:count))
    end
    return result
end

"""
    snapshot_count(traj) -> Int

Number of committed snapshots.
"""
snapshot_count(traj::Trajectory) = length(snapshot_steps(traj))

"""
    snapshot_steps(traj) -> Vector{Int}

Generator step of each snapshot.
"""
function snapshot_steps(traj::Trajectory)
    steps = get(traj.snapshots, SNAPSHOT_INDEX, Int[])
    return Vector{Int}(vec(steps))
end

"""
    snapshot_array(traj, name) -> Union{Array,Nothing}

One array of the snapshot series (`samples`, `discriminator`, `field`,
`sample_grad`, `manifold`), or `nothing` when the run did not record it.
"""
snapshot_array(traj::Trajectory, name::AbstractString) = get(traj.snapshots, name, nothing)

"""
    static_array(traj, name) -> Union{Array,Nothing}

A static array (`real`, `grid_x`, `grid_y`, `field_x`, `field_y`,
`manifold_latent`, ...), or `nothing` when the store has none of that name.
"""
static_array(traj::Trajectory, name::AbstractString) = get(traj.static, name, nothing)

"""
    series_arrays(traj, group) -> Dict{String,Array}

Every array of a series group (`scalars`, `metrics`, ...) with its `step`
index; empty when the group does not exist.
"""
series_arrays(traj::Trajectory, group::AbstractString) =
    get(traj.series, group, Dict{String,Array}())

"""
    config_value(traj, section, key, default)

Look up `config[section][key]` of the run config, or `default` when absent.
"""
function config_value(traj::Trajectory, section, key, default)
    config = traj.config
    section_symbol = Symbol(section)
    key_symbol = Symbol(key)
    haskey(config, section_symbol) || return default
    values = config[section_symbol]
    haskey(values, key_symbol) || return default
    return values[key_symbol]
end

"""
    data_dim(traj) -> Int

Dimension of the data space, from the `dim` attribute or the `real` array.
"""
function data_dim(traj::Trajectory)
    haskey(traj.attrs, "dim") && return Int(traj.attrs["dim"])
    real = static_array(traj, "real")
    real === nothing && throw(ArgumentError("the trajectory has neither a dim attribute " *
                                            "nor a real array; is it a ganlab store?"))
    return size(real, 2)
end

function Base.show(io::IO, traj::Trajectory)
    print(io, "GanViz.Trajectory(\"", traj.path, "\", backend=\"", traj.backend,
          "\", snapshots=", snapshot_count(traj), ", status=\"",
          get(traj.attrs, "status", "unknown"), "\")")
end
