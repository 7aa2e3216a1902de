namespace Perf.Vectors.Wycheproof;

/// <summary>A Wycheproof case's expected verdict.</summary>
internal enum WycheproofResult
{
    /// <summary>A correct implementation must give the exact expected output.</summary>
    Valid,

    /// <summary>A correct implementation must reject the input.</summary>
    Invalid,

    /// <summary>Either answer is allowed; each suite documents which one it expects.</summary>
    Acceptable,
}
