"""
    GanViz

Makie figures of GAN training trajectories recorded by ganlab.

A trajectory comes either from a store on disk (`load_trajectory(path)`, HDF5
or Zarr v3) or from arrays handed over by Python through juliacall
(`Trajectory(attrs_json, static, series)`). Three figure kinds mirror
ganlab's matplotlib renderer, one file each:

- `overview`: small multiples of the discriminator surface with real and
  generated samples over training, plus the loss curves;
- `snapshot`: one snapshot with the surface, the input gradient ∇ₓD as arrows
  and the generator manifold;
- `animation`: one video frame per snapshot, written with Makie's `record`.

Each kind has a pure function that computes what to draw (`overview_data`,
`snapshot_data`, `animation_data`) and a drawing function that turns it into
a `Figure` or a file. `render(traj, kind, out; options...)` is the entry point
that ganlab's Python bridge calls.

Arrays use the index order of the trajectory schema (the numpy order), 1-based:
`samples[t, i, k]` is coordinate `k` of sample `i` at snapshot `t`.
"""
module GanViz

using CairoMakie
import HDF5
import JSON3
import LinearAlgebra
import Zarr

export Trajectory, load_trajectory, snapshot_count, snapshot_steps, snapshot_array,
    static_array, series_arrays, config_value
export overview_data, overview, snapshot_data, snapshot, animation_data, animation, render

include("trajectory.jl")
include("store_reader.jl")
include("surface.jl")
include("layout.jl")
include("overview.jl")
include("snapshot.jl")
include("animation.jl")
include("render.jl")

end
