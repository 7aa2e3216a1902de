using System.Globalization;

namespace Perf.Load.Metadata;

/// <summary>
/// Plaintext sizes for the metadata workload. Every size includes the 16-byte timing header
/// (<see cref="LoadPayload.HeaderSize"/>, standing in for the id and timestamp every real client
/// message carries) and is clamped to 16..61,440 bytes.
/// <list type="bullet">
/// <item><c>chat</c> (default), a mixture. 85 % text: 16 + L bytes with L ~ Log-N(μ 2.83, σ 1.15),
/// the log-normal that ProcessOne fitted to the letters of 474,562 messages of a production XMPP
/// chat server ("Message archiving benchmark: how many letters are in messages?": median 18,
/// mean 40.4, maximum 35,079 letters), taking one byte per letter. 15 % media: 16 + U(150, 450)
/// bytes, standing for the attachment pointer a messenger sends in place of the photo (which goes
/// to a CDN, encrypted): a key, a digest, a CDN id, type, size and dimensions. The media share and
/// the pointer range are our choice, not a measurement.</item>
/// <item><c>lognormal:MU,SIGMA</c>: the same shape with other parameters.</item>
/// <item><c>N</c>: every message N bytes. <c>A-B</c>: uniform between A and B.</item>
/// </list>
/// </summary>
public sealed class MessageSizeDistribution
{
    /// <summary>Largest plaintext drawn.</summary>
    public const int MaxSize = 61_440;

    private readonly Func<Random, double> _draw;

    private MessageSizeDistribution(string name, Func<Random, double> draw)
    {
        Name = name;
        _draw = draw;
    }

    /// <summary>The default realistic chat distribution (see the class summary for its source).</summary>
    public static MessageSizeDistribution Chat { get; } = ChatMixture();

    /// <summary>The name as <see cref="Parse"/> takes it.</summary>
    public string Name { get; }

    /// <summary>Parses <c>chat</c>, <c>lognormal:MU,SIGMA</c>, <c>N</c> or <c>A-B</c>.</summary>
    /// <exception cref="FormatException">Anything else, or sizes out of 16..61440.</exception>
    public static MessageSizeDistribution Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var value = text.Trim().ToLowerInvariant();
        if (value == "chat")
        {
            return Chat;
        }

        if (value.StartsWith("lognormal:", StringComparison.Ordinal))
        {
            var parts = value[10..].Split(',');
            if (parts.Length == 2 && double.TryParse(parts[0], NumberStyles.Float, CultureInfo.InvariantCulture, out var mu)
                && double.TryParse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture, out var sigma) && sigma is > 0 and < 10 && mu is > -10 and < 12)
            {
                return LogNormal(value, mu, sigma);
            }
        }
        else if (value.Contains('-', StringComparison.Ordinal))
        {
            var parts = value.Split('-');
            if (parts.Length == 2 && TrySize(parts[0], out var low) && TrySize(parts[1], out var high) && low <= high)
            {
                return new MessageSizeDistribution(value, random => low + random.Next(high - low + 1));
            }
        }
        else if (TrySize(value, out var fixedSize))
        {
            return new MessageSizeDistribution(value, _ => fixedSize);
        }

        throw new FormatException($"'{text}' is not a size distribution: use chat, lognormal:MU,SIGMA, N or A-B with sizes from {LoadPayload.HeaderSize} to {MaxSize}.");
    }

    /// <summary>Draws one plaintext size.</summary>
    public int Next(Random random)
    {
        ArgumentNullException.ThrowIfNull(random);
        var size = _draw(random);
        return (int)Math.Clamp(Math.Round(size), LoadPayload.HeaderSize, MaxSize);
    }

    /// <summary>The mean size, estimated from 100,000 draws of a fixed seed (the echo floor's message size beside a mixed workload).</summary>
    public int Mean()
    {
        var random = new Random(1);
        long total = 0;
        const int Draws = 100_000;
        for (var i = 0; i < Draws; i++)
        {
            total += Next(random);
        }

        return (int)Math.Round(total / (double)Draws);
    }

    private static MessageSizeDistribution LogNormal(string name, double mu, double sigma) => new(name, random => LogNormalDraw(random, mu, sigma));

    private static MessageSizeDistribution ChatMixture() => new("chat", random =>
        random.NextDouble() < 0.85 ? LogNormalDraw(random, 2.83, 1.15) : LoadPayload.HeaderSize + 150 + random.Next(301));

    private static double LogNormalDraw(Random random, double mu, double sigma)
    {
        // Box-Muller: a standard normal from two uniforms.
        var normal = Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
        return LoadPayload.HeaderSize + Math.Exp(mu + (sigma * normal));
    }

    private static bool TrySize(string text, out int size) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out size) && size is >= LoadPayload.HeaderSize and <= MaxSize;
}
