# GanViz tests. The fixtures in test/fixtures are written by ganlab's Python store
# code (test/make_fixtures.py); expected.json contains values computed there with
# numpy from the same stores read back by ganlab's Python reader.

using GanViz
using JSON3
using Test

const FIXTURES = joinpath(@__DIR__, "fixtures")
const EXPECTED = JSON3.read(read(joinpath(FIXTURES, "expected.json"), String))

fixture(name) = joinpath(FIXTURES, name)

function check_ring2d_arrays(traj, expected)
    @test snapshot_count(traj) == expected.snapshot_count
    @test snapshot_steps(traj) == collect(expected.steps)

    samples = snapshot_array(traj, "samples")
    @test collect(size(samples)) == collect(expected.samples_shape)
    t, i, k = expected.samples_probe.index
    @test samples[t + 1, i + 1, k + 1] ≈ expected.samples_probe.value

    discriminator = snapshot_array(traj, "discriminator")
    @test collect(size(discriminator)) == collect(expected.discriminator_shape)
    for probe in expected.surface_probes
        t, r, c = probe.index
        @test discriminator[t + 1, r + 1, c + 1] ≈ probe.raw
    end
    @test all(isfinite, samples)
end

@testset "GanViz" begin
    @testset "load HDF5 store, committed rows only" begin
        traj = load_trajectory(fixture("ring2d.h5"))
        @test traj.backend == "hdf5"
        @test traj.attrs["status"] == "completed"
        @test config_value(traj, "objective", "loss", nothing) == "nonsaturating"
        check_ring2d_arrays(traj, EXPECTED.ring2d)
        @test sort(collect(keys(series_arrays(traj, "scalars")))) ==
              ["grad_norm", "loss_d", "loss_g", "step"]
    end

    @testset "load Zarr v3 store, committed rows only" begin
        traj = load_trajectory(fixture("ring2d.zarr"))
        @test traj.backend == "zarr"
        check_ring2d_arrays(traj, EXPECTED.ring2d_zarr)
    end

    @testset "run directory and missing paths" begin
        mktempdir() do dir
            cp(fixture("ring2d.h5"), joinpath(dir, "trajectory.h5"))
            @test snapshot_count(load_trajectory(dir)) == EXPECTED.ring2d.snapshot_count
        end
        @test_throws ArgumentError load_trajectory(fixture("missing.h5"))
        @test_throws ArgumentError load_trajectory(fixture("expected.json"))
    end

    @testset "Trajectory from handed-over arrays" begin
        stored = load_trajectory(fixture("ring2d.h5"))
        attrs = Dict(k => v for (k, v) in stored.attrs if k != "config")
        attrs["config"] = JSON3.write(stored.config)
        series = Dict{String,Any}("" => stored.snapshots, "scalars" => series_arrays(stored, "scalars"))
        traj = Trajectory(JSON3.write(attrs), stored.static, series)
        @test traj.backend == "python"
        check_ring2d_arrays(traj, EXPECTED.ring2d)

        # Rows past the index length count as uncommitted.
        longer = Dict{String,Any}("" => Dict("steps" => [0, 10], "samples" => randn(3, 4, 2)))
        short = Trajectory("{\"dim\": 2}", Dict("real" => randn(5, 2)), longer)
        @test size(snapshot_array(short, "samples")) == (2, 4, 2)
        bad = Dict{String,Any}("" => Dict("steps" => [0, 10, 20], "samples" => randn(2, 4, 2)))
        @test_throws ArgumentError Trajectory("{}", Dict{String,Any}(), bad)
    end

    @testset "overview_data" begin
        traj = load_trajectory(fixture("ring2d.h5"))
        expected = EXPECTED.ring2d.overview
        data = overview_data(traj; panels=expected.panels)
        @test data.indices == collect(expected.indices)
        @test data.steps == collect(expected.steps)
        @test data.kind === :probability
        @test collect(data.limits) == collect(expected.limits)
        @test data.loss_names == collect(expected.loss_names)
        @test [values[end] for values in data.loss_values] ≈ collect(expected.loss_last)
        @test data.diverged_step === nothing
        for probe in EXPECTED.ring2d.surface_probes
            t, r, c = probe.index
            panel = findfirst(==(t + 1), data.indices)
            panel === nothing && continue
            # Surfaces are (W, H) for heatmap!: entry [c, r] is at (grid_x[c], grid_y[r]).
            @test data.surfaces[panel][c + 1, r + 1] ≈ probe.shown
        end
    end

    @testset "snapshot_data" begin
        traj = load_trajectory(fixture("ring2d.h5"))
        expected = EXPECTED.ring2d.snapshot
        data = snapshot_data(traj; step=expected.step_requested, sample_arrows=true)
        @test data.index == expected.index
        @test data.step == expected.step
        @test size(data.arrow_vectors, 1) == expected.arrow_count
        row = expected.arrow_row + 1
        @test data.arrow_origins[row, :] ≈ collect(expected.arrow_origin)
        @test data.arrow_vectors[row, :] ≈ collect(expected.arrow_vector)
        @test data.arrow_scale ≈ expected.arrow_scale
        @test size(data.sample_arrow_vectors) == size(data.samples)
        @test length(data.manifold_lines) == expected.manifold_line_count
        @test data.manifold_lines[1] ≈ reduce(vcat, permutedims.(collect.(expected.manifold_first_line)))
        first_column = reduce(vcat, permutedims.(collect.(expected.manifold_first_column)))
        @test data.manifold_lines[length(data.manifold_lines) - size(data.manifold_lines[1], 1) + 1] ≈
              first_column
        @test snapshot_data(traj).index == EXPECTED.ring2d.snapshot_count
    end

    @testset "animation_data" begin
        traj = load_trajectory(fixture("ring2d.zarr"))
        expected = EXPECTED.ring2d.animation
        data = animation_data(traj; every=expected.every)
        @test data.indices == collect(expected.indices)
        @test data.steps == collect(expected.steps)
        @test data.arrow_scale ≈ expected.arrow_scale
        @test_throws ArgumentError animation_data(traj; every=0)
    end

    @testset "critic values and a diverged run" begin
        traj = load_trajectory(fixture("critic1d.h5"))
        expected = EXPECTED.critic1d
        @test snapshot_count(traj) == expected.snapshot_count
        data = overview_data(traj; panels=expected.overview.panels)
        @test data.kind === :critic
        @test data.dim == 1
        @test data.indices == collect(expected.overview.indices)
        @test collect(data.limits) ≈ collect(expected.overview.limits)
        @test data.diverged_step == expected.diverged_step
        @test isempty(data.loss_names)
        t, c = expected.surface_probe.index
        panel = findfirst(==(t + 1), data.indices)
        @test data.surfaces[panel][c + 1] ≈ expected.surface_probe.shown
        @test snapshot_data(traj).index == expected.snapshot_default_index
    end

    @testset "render every kind to files" begin
        mktempdir() do dir
            ring = load_trajectory(fixture("ring2d.h5"))
            critic = load_trajectory(fixture("critic1d.h5"))
            outputs = [
                (ring, "overview", "overview.png", (panels=3, dpi=72)),
                (ring, "overview", "overview.pdf", (panels=2,)),
                (ring, "snapshot", "snapshot.svg", (step=100, sample_arrows=true)),
                (ring, "animation", "animation.mp4", (every=2, framerate=4, dpi=48)),
                (critic, "overview", "critic.png", (dpi=48,)),
                (critic, "snapshot", "critic_snapshot.png", (dpi=48,)),
                (critic, "animation", "critic.gif", (framerate=2, dpi=48)),
            ]
            for (traj, kind, name, options) in outputs
                out = joinpath(dir, name)
                @test render(traj, kind, out; options...) == out
                @test isfile(out)
                @test filesize(out) > 0
            end
            png = read(joinpath(dir, "overview.png"))
            @test png[1:8] == UInt8[0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]

            @test_throws ArgumentError render(ring, "surface", joinpath(dir, "x.png"))
            @test_throws ArgumentError render(ring, "overview", joinpath(dir, "x.mp4"))
            @test_throws ArgumentError render(ring, "overview", joinpath(dir, "x.png"); fps=3)
            @test render(fixture("ring2d.zarr"), "snapshot", joinpath(dir, "z.png")) ==
                  joinpath(dir, "z.png")
        end
    end

    @testset "user_error_message" begin
        @test GanViz.user_error_message(ArgumentError("bad value")) == "bad value"
        @test GanViz.user_error_message(ErrorException("internal")) === nothing
    end
end
