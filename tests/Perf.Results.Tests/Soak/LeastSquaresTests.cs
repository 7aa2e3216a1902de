using Perf.Results.Soak;

namespace Perf.Results.Tests.Soak;

/// <summary>The least-squares line on points whose answer is known.</summary>
public sealed class LeastSquaresTests
{
    [Fact]
    public void Points_on_a_line_give_its_slope_and_intercept()
    {
        var line = LeastSquares.Fit([0, 60, 120, 180], [100, 130, 160, 190])!.Value;

        Assert.Equal(0.5, line.Slope, 12);
        Assert.Equal(100, line.Intercept, 9);
        Assert.Equal(250, line.At(300), 9);
    }

    [Fact]
    public void Noise_symmetric_about_a_line_leaves_its_slope()
    {
        // y = 2x + 5 with +1, -1, -1, +1: the residuals are orthogonal to x - mean(x).
        var line = LeastSquares.Fit([1, 2, 3, 4], [8, 8, 10, 14])!.Value;

        Assert.Equal(2, line.Slope, 12);
        Assert.Equal(5, line.Intercept, 9);
    }

    [Fact]
    public void Large_values_far_from_zero_keep_their_slope()
    {
        // Seconds into a day, bytes in gigabytes: raw sums of products would round the slope away.
        double[] xs = [86_000, 86_060, 86_120, 86_180];
        var line = LeastSquares.Fit(xs, [4e9, 4e9 + 1, 4e9 + 2, 4e9 + 3])!.Value;

        Assert.Equal(1.0 / 60, line.Slope, 9);
    }

    [Fact]
    public void Unmeasured_points_are_left_out()
    {
        var line = LeastSquares.Fit([0, 1, 2, 3], [0, null, 2, null])!.Value;

        Assert.Equal(1, line.Slope, 12);
    }

    [Fact]
    public void Fewer_than_two_points_or_one_x_have_no_line()
    {
        Assert.Null(LeastSquares.Fit([0, 1], [5, null]));
        Assert.Null(LeastSquares.Fit([3, 3, 3], [1, 2, 3]));
        Assert.Throws<ArgumentException>(() => LeastSquares.Fit([0, 1], [1]));
    }
}
