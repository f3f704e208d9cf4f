# Reading ganlab trajectory stores (HDF5 and Zarr v3) from disk.
#
# Layout, as written by ganlab/store (docs/trajectory-format.md):
# - root attribute `layout` = {"static": [names], "series": {group: [field names]}},
#   group "" being the snapshot series at the root;
# - each series group has its index (`steps` at the root, `step` in groups), its
#   fields, preallocated along the first numpy axis, and a 0-d int64 array
#   `committed` with the number of valid rows, written after the rows;
# - HDF5 keeps every root attribute as JSON text; Zarr keeps them as JSON in
#   zarr.json. In both, `config` is the run config as a JSON string.
#
# HDF5.jl and Zarr.jl return arrays with the dimensions reversed relative to
# numpy, because Julia is column-major and both formats store row-major data:
# numpy `(T, N, d)` reads as Julia `(d, N, T)`. The readers below slice the
# committed rows on the last Julia axis and then reverse the dimensions, so a
# `Trajectory` uses the numpy index order throughout.

const HDF5_STORE_NAME = "trajectory.h5"
const ZARR_STORE_NAME = "trajectory.zarr"
const COMMIT_NAME = "committed"
const LAYOUT_ATTR = "layout"
const FORMAT_ATTR = "ganlab_format"
const FORMAT_NAME = "trajectory"

# Newest trajectory schema version this reader can read.
const SCHEMA_VERSION = 1

"""
    load_trajectory(path) -> Trajectory

Read the committed part of a ganlab trajectory store. `path` is a run
directory (holding `trajectory.h5` or `trajectory.zarr`) or the store itself.

HDF5 stores are read with HDF5.jl and Zarr v3 stores with Zarr.jl (0.10.1 or
newer; older Zarr.jl reads Zarr v2 only). Unlike ganlab's Python reader, the
status is reported as stored: a run whose writer was killed still reads
`"running"`.

# Example
```julia
using GanViz
traj = load_trajectory("runs/ring8")      # or "runs/ring8/trajectory.h5"
snapshot_count(traj), size(snapshot_array(traj, "samples"))
```
"""
function load_trajectory(path::AbstractString)
    store, backend = locate_store(path)
    return backend == "hdf5" ? read_hdf5_store(store) : read_zarr_store(store)
end

"""
    locate_store(path) -> (store_path, backend)

Find the store of a run directory, or accept the store path itself.
"""
function locate_store(path::AbstractString)
    if !ispath(path)
        throw(ArgumentError("no trajectory store at \"$path\": the path does not exist"))
    end
    if isdir(path)
        hdf5_path = joinpath(path, HDF5_STORE_NAME)
        zarr_path = joinpath(path, ZARR_STORE_NAME)
        if isfile(hdf5_path) && isdir(zarr_path)
            throw(ArgumentError("run directory \"$path\" contains both $HDF5_STORE_NAME and " *
                                "$ZARR_STORE_NAME; pass the path of the store to read"))
        end
        isfile(hdf5_path) && return hdf5_path, "hdf5"
        isdir(zarr_path) && return zarr_path, "zarr"
        isfile(joinpath(path, "zarr.json")) && return String(path), "zarr"
        throw(ArgumentError("\"$path\" contains no trajectory store: expected $HDF5_STORE_NAME, " *
                            "$ZARR_STORE_NAME or a Zarr zarr.json"))
    end
    HDF5.ishdf5(path) && return String(path), "hdf5"
    throw(ArgumentError("\"$path\" is neither an HDF5 file nor a Zarr directory; " *
                        "pass a run directory or its trajectory store"))
end

"""
    from_numpy_order(array) -> Array

Reverse the dimensions of an array read by HDF5.jl or Zarr.jl, so that it has
the numpy shape recorded in the store.
"""
function from_numpy_order(array::AbstractArray)
    ndims(array) <= 1 && return Array(array)
    return permutedims(array, ndims(array):-1:1)
end

"""
    read_committed(array, count) -> Array

The first `count` rows (first numpy axis, last Julia axis) of a series array,
in numpy order. Rows past `count` were preallocated or not yet committed.
"""
function read_committed(array, count::Integer)
    dims = size(array)
    row_shape = reverse(dims[1:(end - 1)])
    count == 0 && return Array{eltype(array)}(undef, 0, row_shape...)
    block = array[ntuple(_ -> Colon(), length(dims) - 1)..., 1:count]
    return from_numpy_order(block)
end

function check_store_attrs(attrs::AbstractDict, path)
    if get(attrs, FORMAT_ATTR, nothing) != FORMAT_NAME || !haskey(attrs, "schema_version")
        throw(ArgumentError("\"$path\" is not a ganlab trajectory store: its root has no " *
                            "$FORMAT_ATTR attribute"))
    end
    version = attrs["schema_version"]
    if version > SCHEMA_VERSION
        throw(ArgumentError("\"$path\" uses trajectory schema version $version, but this GanViz " *
                            "reads versions up to $SCHEMA_VERSION; update GanViz"))
    end
    return nothing
end

index_name(group::AbstractString) = group == SNAPSHOT_SERIES ? SNAPSHOT_INDEX : SERIES_INDEX

"""
    read_layout_arrays(layout, open_array, read_whole) -> (static, snapshots, series)

Read the static arrays and the committed rows of every series. `open_array`
maps a store path (`"samples"`, `"scalars/step"`) to the format's array
object, and `read_whole` reads a whole array into numpy order.
"""
function read_layout_arrays(layout, open_array, read_whole)
    static = Dict{String,Array}()
    for name in layout[:static]
        static[string(name)] = read_whole(open_array(string(name)))
    end

    snapshots = Dict{String,Array}()
    series = Dict{String,Dict{String,Array}}()
    for (group_key, names) in pairs(layout[:series])
        group = string(group_key)
        prefix = group == SNAPSHOT_SERIES ? "" : group * "/"
        count = Int(read_scalar(open_array(prefix * COMMIT_NAME)))
        arrays = Dict{String,Array}()
        for name in (index_name(group), string.(names)...)
            arrays[name] = read_committed(open_array(prefix * name), count)
        end
        if group == SNAPSHOT_SERIES
            snapshots = arrays
        else
            series[group] = arrays
        end
    end
    return static, snapshots, series
end

function read_hdf5_store(path::AbstractString)
    return HDF5.h5open(path, "r") do file
        raw = Dict{String,Any}()
        attributes = HDF5.attrs(file)
        for name in keys(attributes)
            # Every root attribute is JSON text; NaN and Infinity may occur in metrics.
            raw[name] = JSON3.read(attributes[name]; allow_inf=true)
        end
        check_store_attrs(raw, path)

        static, snapshots, series = read_layout_arrays(
            raw[LAYOUT_ATTR], name -> file[name], dataset -> from_numpy_order(read(dataset)))
        build_trajectory(path, "hdf5", decode_attrs(raw), static, snapshots, series)
    end
end

function read_zarr_store(path::AbstractString)
    root = Zarr.zopen(path)
    # Zarr.jl parses attributes into Dicts; one JSON round trip gives the same
    # JSON3 objects as the HDF5 reader.
    raw = Dict{String,Any}()
    for (name, value) in root.attrs
        raw[string(name)] = JSON3.read(JSON3.write(value); allow_inf=true)
    end
    check_store_attrs(raw, path)

    static, snapshots, series = read_layout_arrays(
        raw[LAYOUT_ATTR], name -> zarr_array(root, name), read_whole_zarr)
    return build_trajectory(path, "zarr", decode_attrs(raw), static, snapshots, series)
end

read_whole_zarr(array) = from_numpy_order(array[ntuple(_ -> Colon(), ndims(array))...])

function zarr_array(root, path::AbstractString)
    node = root
    for part in split(path, '/')
        node = node[String(part)]
    end
    return node
end

# The commit record is a 0-d array. NOTE: GanViz has not been run against
# Zarr.jl here; 0-d Zarr arrays read with `[]` as any 0-d AbstractArray.
read_scalar(array::HDF5.Dataset) = read(array)
read_scalar(array) = array[]
