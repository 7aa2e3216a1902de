namespace Perf.Fuzz;

/// <summary>A parser broke its documented contract without throwing on its own (a wrong result, a lost round trip).</summary>
internal sealed class ContractViolation : Exception
{
    /// <summary>Creates the exception.</summary>
    public ContractViolation(string message)
        : base(message)
    {
    }

    /// <summary>Throws unless <paramref name="condition"/> holds.</summary>
    public static void Require(bool condition, string what)
    {
        if (!condition)
        {
            throw new ContractViolation(what);
        }
    }
}
