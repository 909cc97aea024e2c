using System.Globalization;

namespace SseDashboard.Panels;

/// <summary>Byte counts for people: <c>1.5 MiB</c>.</summary>
public static class ByteSize
{
    private static readonly string[] Units = ["B", "KiB", "MiB", "GiB", "TiB"];

    public static string Format(double? bytes)
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
