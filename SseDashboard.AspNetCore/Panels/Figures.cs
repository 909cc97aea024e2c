using System.Globalization;

namespace SseDashboard.Panels;

/// <summary>How the panels write figures: <c>12.5</c> and <c>1.5 MiB</c>, the same in every panel and culture.</summary>
public static class Figures
{
    private static readonly string[] Units = ["B", "KiB", "MiB", "GiB", "TiB"];

    /// <summary>At most one decimal, no trailing zero: <c>12.5</c>, <c>3</c>.</summary>
    public static string Number(double value) => value.ToString("0.#", CultureInfo.InvariantCulture);

    /// <summary>A byte count for people (<c>1.5 MiB</c>); <c>?</c> when unknown.</summary>
    public static string Bytes(double? bytes)
    {
        if (bytes is not { } value)
        {
            return "?";
        }

        var unit = 0;
        while (value >= 1024 && unit < Units.Length - 1)
        {
            value /= 1024;
            unit++;
        }

        return value.ToString(unit == 0 ? "0" : "0.0", CultureInfo.InvariantCulture) + " " + Units[unit];
    }
}
