namespace Perf.Results.Soak;

/// <summary>An ordinary least-squares line through points: y = intercept + slope × x.</summary>
/// <param name="Slope">Change of y per unit of x.</param>
/// <param name="Intercept">y at x = 0.</param>
public readonly record struct LeastSquares(double Slope, double Intercept)
{
    /// <summary>The line's value at <paramref name="x"/>.</summary>
    public double At(double x) => Intercept + (Slope * x);

    /// <summary>
    /// Fits a line through the points whose y is known; <c>null</c> with fewer than two such points
    /// or when every x is the same (no slope to speak of).
    /// </summary>
    /// <param name="xs">The x of each point.</param>
    /// <param name="ys">The y of each point (<c>null</c>: not measured, left out).</param>
    public static LeastSquares? Fit(IReadOnlyList<double> xs, IReadOnlyList<double?> ys)
    {
        ArgumentNullException.ThrowIfNull(xs);
        ArgumentNullException.ThrowIfNull(ys);
        if (xs.Count != ys.Count)
        {
            throw new ArgumentException("one y per x", nameof(ys));
        }

        // Centred sums: the x are seconds into a run of hours and the y bytes in the gigabytes,
        // so sums of raw products would lose the slope to rounding.
        double sumX = 0, sumY = 0;
        var n = 0;
        for (var i = 0; i < xs.Count; i++)
        {
            if (ys[i] is { } y)
            {
                sumX += xs[i];
                sumY += y;
                n++;
            }
        }

        if (n < 2)
        {
            return null;
        }

        var meanX = sumX / n;
        var meanY = sumY / n;
        double sxx = 0, sxy = 0;
        for (var i = 0; i < xs.Count; i++)
        {
            if (ys[i] is { } y)
            {
                var dx = xs[i] - meanX;
                sxx += dx * dx;
                sxy += dx * (y - meanY);
            }
        }

        if (sxx <= 0)
        {
            return null;
        }

        var slope = sxy / sxx;
        return new LeastSquares(slope, meanY - (slope * meanX));
    }
}
