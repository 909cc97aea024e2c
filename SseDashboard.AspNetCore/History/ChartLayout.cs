using System.Globalization;
using System.Text;
using SseDashboard.Panels;

namespace SseDashboard.History;

/// <summary>
/// One field of a <see cref="MetricSeries"/> laid out as an SVG chart: a time axis with ticks at whole UTC steps, a
/// value axis from 0, the average line over the min–max band per run of points, and each point's place and figures
/// for the hover readout. A run ends wherever a bucket that should hold a sample has none.
/// </summary>
public sealed class ChartLayout
{
    // About the width the narrow cpu and memory panels give it, so the labels keep about their size.
    public const int Width = 240;
    public const int Height = 120;
    public const int Left = 42;
    public const int Right = 6;
    public const int Top = 6;
    public const int Bottom = 16;
    public const int PlotBottom = Height - Bottom;
    public const int PlotRight = Width - Right;

    private const int MaxTimeTicks = 8;

    // A label's width in viewBox units, about, per character at the axes' font size: labels that would touch are
    // thinned to every other tick (or every third).
    private const double LabelCharWidth = 5.2;

    private static readonly string[] ByteUnits = ["B", "KiB", "MiB", "GiB", "TiB"];

    // Time axis steps, the smallest that keeps at most MaxTimeTicks ticks wins: 10 min for an hour, 3 h for a day, a day for a week.
    private static readonly TimeSpan[] TimeSteps =
    [
        .. new[] { 10, 15, 30 }.Select(s => TimeSpan.FromSeconds(s)),
        .. new[] { 1, 2, 5, 10, 15, 30 }.Select(m => TimeSpan.FromMinutes(m)),
        .. new[] { 1, 2, 3, 6, 12 }.Select(h => TimeSpan.FromHours(h)),
        .. new[] { 1, 2, 7, 14, 30, 90, 365 }.Select(d => TimeSpan.FromDays(d)),
    ];

    private ChartLayout(
        ChartSeries series, string summary, IReadOnlyList<AxisTick> timeTicks, IReadOnlyList<AxisTick> valueTicks, string line, string band,
        IReadOnlyList<ChartPoint> points, IReadOnlyList<ChartPoint> dots)
    {
        Series = series;
        Summary = summary;
        TimeTicks = timeTicks;
        ValueTicks = valueTicks;
        Line = line;
        Band = band;
        Points = points;
        Dots = dots;
    }

    public ChartSeries Series { get; }

    /// <summary>The chart in words, for its <c>title</c> and <c>aria-label</c>: the range, then average, lowest and highest.</summary>
    public string Summary { get; }

    /// <summary>
    /// Ticks along the time axis: x, and the UTC time (or date, at midnight on longer ranges); empty where labels
    /// would crowd.
    /// </summary>
    public IReadOnlyList<AxisTick> TimeTicks { get; }

    /// <summary>Ticks up the value axis: y, and the value with its unit.</summary>
    public IReadOnlyList<AxisTick> ValueTicks { get; }

    /// <summary>The averages: one subpath per run of points (empty when no run has two).</summary>
    public string Line { get; }

    /// <summary>Between each run's least and greatest values: one closed subpath per run.</summary>
    public string Band { get; }

    /// <summary>Every point, oldest first.</summary>
    public IReadOnlyList<ChartPoint> Points { get; }

    /// <summary>Points with no neighbour in their run, drawn as dots (a line needs two).</summary>
    public IReadOnlyList<ChartPoint> Dots { get; }

    public bool IsEmpty => Points.Count == 0;

    public static ChartLayout Of(MetricSeries series, ChartSeries field, TimeSpan sampleInterval)
    {
        var (from, to) = (series.From.ToUnixTimeMilliseconds(), series.To.ToUnixTimeMilliseconds());
        var span = Math.Max(1, to - from);
        var bucket = series.BucketSeconds * 1000L;
        var values = new List<(long At, double Average, double Min, double Max)>();
        foreach (var point in series.Points)
        {
            if (point.Average.TryGetValue(field.Field, out var average) && average is double a
                && point.Min.TryGetValue(field.Field, out var min) && point.Max.TryGetValue(field.Field, out var max))
            {
                values.Add((point.Timestamp.ToUnixTimeMilliseconds(), a, min, max));
            }
        }

        var highest = values.Count == 0 ? 0 : values.Max(v => v.Max);
        var (top, valueTicks) = field.Unit switch
        {
            ChartUnit.Bytes => ByteScale(highest),
            ChartUnit.Number => NumberScale(highest),
            _ => PercentScale(highest),
        };
        double X(long at) => Left + (double)(Math.Clamp(at + bucket / 2, from, to) - from) / span * (PlotRight - Left);
        double Y(double value) => Top + (1 - Math.Clamp(value / top, 0, 1)) * (PlotBottom - Top);

        // Consecutive buckets with samples start a bucket apart; with samples rarer than buckets, up to an interval
        // more. Anything further apart has a bucket without the sample it should have: a gap.
        var gap = Math.Max(bucket, (long)sampleInterval.TotalMilliseconds) + bucket;
        var points = new List<ChartPoint>(values.Count);
        var dots = new List<ChartPoint>();
        var line = new StringBuilder();
        var band = new StringBuilder();
        for (var start = 0; start < values.Count;)
        {
            var end = start + 1;
            while (end < values.Count && values[end].At - values[end - 1].At < gap)
            {
                end++;
            }

            var run = values[start..end].Select(v => new ChartPoint(
                X(v.At), Y(v.Average), Y(v.Min), Y(v.Max), DateTimeOffset.FromUnixTimeMilliseconds(v.At),
                Format(v.Average, field.Unit), Format(v.Min, field.Unit), Format(v.Max, field.Unit))).ToList();
            points.AddRange(run);
            if (run.Count == 1)
            {
                dots.Add(run[0]);
            }
            else
            {
                line.Append(Path(run, p => p.Y));
                band.Append(Path(run, p => p.MaxY)).Append(Path(Enumerable.Reverse(run), p => p.MinY).Replace('M', 'L')).Append('Z');
            }

            start = end;
        }

        var summary = $"{field.Label}, {series.From.UtcDateTime:yyyy-MM-dd HH:mm} to {series.To.UtcDateTime:yyyy-MM-dd HH:mm} UTC: "
            + (values.Count == 0
                ? "no data stored"
                : $"average {Format(values.Average(v => v.Average), field.Unit)}, lowest {Format(values.Min(v => v.Min), field.Unit)}, highest {Format(values.Max(v => v.Max), field.Unit)}");
        return new ChartLayout(
            field, summary, TimeAxis(from, to), valueTicks.Select(t => t with { At = Y(t.At) }).ToList(), line.ToString(), band.ToString(), points, dots);
    }

    /// <summary>A coordinate as the SVG gets it: at most one decimal, invariant.</summary>
    public static string Coordinate(double value) => value.ToString("0.#", CultureInfo.InvariantCulture);

    /// <summary>A value as the readout and axis show it: <c>12.5%</c>, <c>1.5 MiB</c>.</summary>
    public static string Format(double value, ChartUnit unit) => unit switch
    {
        ChartUnit.Bytes => Figures.Bytes(value),
        ChartUnit.Number => Figures.Number(value),
        _ => Figures.Number(value) + "%",
    };

    private static string Path(IEnumerable<ChartPoint> points, Func<ChartPoint, double> y)
    {
        var d = new StringBuilder();
        foreach (var p in points)
        {
            d.Append(d.Length == 0 ? 'M' : 'L').Append(Coordinate(p.X)).Append(' ').Append(Coordinate(y(p)));
        }

        return d.ToString();
    }

    private static List<AxisTick> TimeAxis(long from, long to)
    {
        var span = TimeSpan.FromMilliseconds(to - from);
        var step = TimeSteps.FirstOrDefault(s => span / s <= MaxTimeTicks, TimeSteps[^1]);
        var stepMs = (long)step.TotalMilliseconds;
        var scale = (double)(PlotRight - Left) / Math.Max(1, to - from);
        var ticks = new List<(long At, string Label)>();
        for (var t = (from + stepMs - 1) / stepMs * stepMs; t <= to; t += stepMs)
        {
            var time = DateTimeOffset.FromUnixTimeMilliseconds(t).UtcDateTime;
            var date = step >= TimeSpan.FromDays(1) || (time.TimeOfDay == TimeSpan.Zero && span >= TimeSpan.FromHours(12));
            ticks.Add((t, time.ToString(date ? "MMM d" : step < TimeSpan.FromMinutes(1) ? "HH:mm:ss" : "HH:mm", CultureInfo.InvariantCulture)));
        }

        // Labelled ticks chosen by their time, not their place: a chart redrawn a minute later labels the same ones.
        var widest = ticks.Select(t => t.Label.Length).DefaultIfEmpty(0).Max() * LabelCharWidth + 4;
        var labelEvery = (long)Math.Ceiling(widest / (stepMs * scale));
        // A tick marks the instant itself (a point sits at the middle of its bucket).
        return ticks.Select(t => new AxisTick(Left + (t.At - from) * scale, t.At / stepMs % labelEvery == 0 ? t.Label : "")).ToList();
    }

    // Percentages: 0–100 unless something went past 100.
    private static (double Top, List<AxisTick> Ticks) PercentScale(double max)
    {
        var (step, top) = NiceScale(Math.Max(100, max));
        return (top, Steps(step, top).Select(v => new AxisTick(v, Figures.Number(v) + "%")).ToList());
    }

    private static (double Top, List<AxisTick> Ticks) NumberScale(double max)
    {
        var (step, top) = NiceScale(Math.Max(max, 1));
        return (top, Steps(step, top).Select(v => new AxisTick(v, Compact(v))).ToList());
    }

    // An axis label that fits the gutter: 50M, 2.5k.
    private static string Compact(double value)
    {
        var (scaled, suffix) = Math.Abs(value) switch
        {
            >= 1e9 => (value / 1e9, "G"),
            >= 1e6 => (value / 1e6, "M"),
            >= 1e3 => (value / 1e3, "k"),
            _ => (value, ""),
        };
        return Figures.Number(scaled) + suffix;
    }

    // Bytes: steps of 1, 2, 2.5 or 5 (times a power of ten) of the largest binary unit under the top.
    private static (double Top, List<AxisTick> Ticks) ByteScale(double max)
    {
        var unit = 0;
        for (var scaled = Math.Max(max, 1); scaled >= 1024 && unit < ByteUnits.Length - 1; scaled /= 1024)
        {
            unit++;
        }

        var factor = Math.Pow(1024, unit);
        var (step, top) = NiceScale(Math.Max(max, 1) / factor);
        return (top * factor, Steps(step, top)
            .Select(v => new AxisTick(v * factor, v == 0 ? "0" : $"{Figures.Number(v)} {ByteUnits[unit]}")).ToList());
    }

    private static (double Step, double Top) NiceScale(double max)
    {
        var rough = max / 4;
        var power = Math.Pow(10, Math.Floor(Math.Log10(rough)));
        var step = new[] { 1, 2, 2.5, 5, 10 }.Select(m => m * power).First(s => s >= rough * (1 - 1e-9));
        return (step, Math.Ceiling(max / step - 1e-9) * step);
    }

    private static IEnumerable<double> Steps(double step, double top)
    {
        for (var i = 0; i * step <= top * (1 + 1e-9); i++)
        {
            yield return i * step;
        }
    }
}

/// <summary>A tick on an axis: where (x or y) and its label.</summary>
public sealed record AxisTick(double At, string Label);

/// <summary>A point of a chart: where its average, least and greatest values sit, its bucket's start, and its figures.</summary>
public sealed record ChartPoint(double X, double Y, double MinY, double MaxY, DateTimeOffset Time, string Average, string Min, string Max);
