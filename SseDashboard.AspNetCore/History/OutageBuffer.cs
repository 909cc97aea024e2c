using SseDashboard.LogTail;
using SseDashboard.Streaming;

namespace SseDashboard.History;

/// <summary>How many log lines the writer keeps while a fleet's store is down (the fleet sets it from <c>Dashboard:Fleet:AgentBufferLines</c>).</summary>
public sealed class OutageOptions
{
    public int Lines { get; set; } = 10_000;
}

/// <summary>
/// What a fleet's writer keeps while its store is down: the newest event of each state topic and the newest
/// <c>Dashboard:Fleet:AgentBufferLines</c> log lines, in the order they came; the older lines it had to let go are
/// counted, and go to the store as one <c>skipped</c> marker ahead of the rest. Lines keep their own timestamps.
/// </summary>
public sealed class OutageBuffer(int maxLines, string host)
{
    // Arrival order; a state topic's older event is replaced by a newer one, which takes the newer place.
    private readonly LinkedList<(Topic Topic, object Payload, bool Shown)> _events = new();
    private readonly Dictionary<Topic, LinkedListNode<(Topic Topic, object Payload, bool Shown)>> _newestState = [];
    private int _lines;
    private long _skipped;
    private DateTimeOffset? _skippedFrom;

    public bool IsEmpty => _events.Count == 0 && _skipped == 0;

    /// <summary>Lines let go so far (since the last <see cref="TryTake"/> of the marker).</summary>
    public long Skipped => _skipped;

    /// <param name="shown">Already shown live: whoever takes it back need not show it again.</param>
    public void Add(Topic topic, object payload, bool shown = false)
    {
        if (topic.Kind == TopicKind.State)
        {
            if (_newestState.Remove(topic, out var older))
            {
                _events.Remove(older);
            }

            _newestState[topic] = _events.AddLast((topic, payload, shown));
            return;
        }

        _events.AddLast((topic, payload, shown));
        _lines += LinesOf(payload);
        while (_lines > maxLines)
        {
            var node = _events.First!;
            while (node.Value.Topic.Kind != TopicKind.Stream)
            {
                node = node.Next!;
            }

            var batch = (LogBatch)node.Value.Payload;
            var over = _lines - maxLines;
            if (batch.Lines.Count > over)
            {
                // Only part of the oldest batch has to go: its oldest lines.
                node.Value = node.Value with { Payload = batch with { Lines = batch.Lines.Skip(over).ToArray() } };
                Skip(batch, over);
                _lines -= over;
            }
            else
            {
                _events.Remove(node);
                Skip(batch, batch.Lines.Count);
                _lines -= batch.Lines.Count;
            }
        }
    }

    /// <summary>The next event to store, oldest first; the skipped marker (if lines were let go) comes first.</summary>
    public bool TryTake(out Topic topic, out object payload, out bool shown)
    {
        shown = false;
        if (_skipped > 0)
        {
            (topic, payload) = (LogTailTopics.Log, new LogBatch(_skippedFrom!.Value, null, LogKinds.Skipped, []) { Skipped = _skipped, Host = host });
            (_skipped, _skippedFrom) = (0, null);
            return true;
        }

        if (_events.First is not { } first)
        {
            (topic, payload) = (null!, null!);
            return false;
        }

        _events.RemoveFirst();
        (topic, payload, shown) = first.Value;
        if (topic.Kind == TopicKind.State)
        {
            _newestState.Remove(topic);
        }
        else
        {
            _lines -= LinesOf(payload);
        }

        return true;
    }

    private void Skip(LogBatch batch, int lines)
    {
        _skipped += lines;
        _skippedFrom ??= batch.Timestamp;
    }

    private static int LinesOf(object payload) => payload is LogBatch batch ? batch.Lines.Count : 0;
}
