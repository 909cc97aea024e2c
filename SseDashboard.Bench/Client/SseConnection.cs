using System.Buffers;
using System.Buffers.Text;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using SseDashboard.Bench.Measurement;

namespace SseDashboard.Bench.Client;

/// <summary>
/// One SSE connection over a raw socket. It waits with a zero-byte receive and rents a buffer only while bytes are
/// there, so 10,000 idle connections hold no read buffers.
/// </summary>
internal sealed class SseConnection : ISseHandler
{
    /// <summary>The marker each line of the log scenario carries: <c>benchline SEQ WRITTEN-UNIX-MICROSECONDS</c>.</summary>
    public static ReadOnlySpan<byte> LogMarker => "benchline "u8;

    private readonly RunState _run;
    private readonly SseResponseParser _parser;
    private readonly long[] _lastIdByTopic = new long[33];
    private Socket? _socket;
    private ulong[] _linesSeen = [];

    public SseConnection(RunState run)
    {
        _run = run;
        _parser = new SseResponseParser(this);
    }

    public TaskCompletionSource<bool> HeadersReceived { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>True at the first event, false when the connection ends before one.</summary>
    public TaskCompletionSource<bool> FirstEvent { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Connect start to response headers.</summary>
    public TimeSpan ConnectTime { get; private set; }

    public string? Error { get; private set; }

    public bool Open { get; private set; }

    public long Events { get; private set; }

    public long EventsInWindow { get; private set; }

    public long IdsBackwards { get; private set; }

    /// <summary>Ids skipped within one topic inside the window (meaningful where ids count per topic).</summary>
    public long IdGapsInWindow { get; private set; }

    public long Comments { get; private set; }

    public long LogLines { get; private set; }

    public long LogLinesUnique { get; private set; }

    /// <summary>The server's <c>skipped</c> markers (see <see cref="SkippedMarker"/>) and the lines they account for.</summary>
    public long SkippedMarkers { get; private set; }

    public long LogLinesSkipped { get; private set; }

    /// <summary>The fleet scenario's lines, per agent; null until the first arrives.</summary>
    public FleetLines? Fleet { get; private set; }

    private long LastId { get; set; } = -1;

    public async Task RunAsync(EndPoint endPoint, ReadOnlyMemory<byte> request, SemaphoreSlim connectGate, CancellationToken rampCancel)
    {
        var started = Stopwatch.GetTimestamp();
        var gateHeld = false;
        try
        {
            await connectGate.WaitAsync(rampCancel);
            gateHeld = true;
            _socket = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            await _socket.ConnectAsync(endPoint, rampCancel);
            await _socket.SendAsync(request, SocketFlags.None, rampCancel);
            Open = true;
            while (true)
            {
                await _socket.ReceiveAsync(Memory<byte>.Empty, SocketFlags.None);
                var buffer = ArrayPool<byte>.Shared.Rent(16 * 1024);
                try
                {
                    var read = await _socket.ReceiveAsync(buffer, SocketFlags.None);
                    if (read == 0)
                    {
                        Error ??= _parser.HeadersComplete ? "server closed the stream" : "closed before headers";
                        break;
                    }

                    _parser.Feed(buffer.AsSpan(0, read), DateTime.UtcNow.Ticks);
                }
                finally
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                }

                if (!HeadersReceived.Task.IsCompleted && _parser.HeadersComplete)
                {
                    ConnectTime = Stopwatch.GetElapsedTime(started);
                    connectGate.Release();
                    gateHeld = false;
                    if (_parser.StatusCode != 200)
                    {
                        Error = $"HTTP {_parser.StatusCode}";
                        break;
                    }

                    HeadersReceived.TrySetResult(true);
                }

                if (_parser.Ended)
                {
                    Error ??= "server ended the stream";
                    break;
                }
            }
        }
        catch (Exception ex) when (ex is SocketException or OperationCanceledException or ObjectDisposedException or InvalidDataException)
        {
            if (!Stopped)
            {
                Error ??= ex is SocketException se ? se.SocketErrorCode.ToString() : ex.GetType().Name;
            }
        }
        finally
        {
            Open = false;
            if (gateHeld)
            {
                connectGate.Release();
            }

            HeadersReceived.TrySetResult(false);
            FirstEvent.TrySetResult(false);
            _socket?.Dispose();
        }
    }

    private bool Stopped { get; set; }

    /// <summary>Closes the socket: the pending receive ends and the run task completes.</summary>
    public void Stop()
    {
        Stopped = true;
        try
        {
            _socket?.Shutdown(SocketShutdown.Both);
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
        }

        _socket?.Dispose();
    }

    /// <summary>How many distinct log lines (by sequence number) this client received among the first <paramref name="count"/>.</summary>
    public long LogLinesReceivedOf(long count)
    {
        long n = 0;
        for (long seq = 0; seq < count; seq++)
        {
            if (seq / 64 < _linesSeen.Length && (_linesSeen[seq / 64] & (1UL << (int)(seq % 64))) != 0)
            {
                n++;
            }
        }

        return n;
    }

    int ISseHandler.TopicIndex(ReadOnlySpan<byte> eventName) => _run.TopicIndex(eventName);

    void ISseHandler.OnEvent(int topic, long id, long publishedTicks, long receivedTicks)
    {
        if (++Events == 1)
        {
            FirstEvent.TrySetResult(true);
        }

        if (id >= 0)
        {
            if (id <= LastId)
            {
                IdsBackwards++;
            }

            LastId = id;
        }

        ref var topicLast = ref _lastIdByTopic[topic + 1];
        if (publishedTicks != 0 && _run.InWindow(publishedTicks))
        {
            EventsInWindow++;
            if (_run.IsTimed(topic))
            {
                _run.Latency.Record((receivedTicks - publishedTicks) / 10);
            }

            if (id >= 0 && topicLast > 0 && id > topicLast + 1)
            {
                IdGapsInWindow += id - topicLast - 1;
            }
        }

        if (id >= 0)
        {
            topicLast = id;
            _run.Register(topic, id, publishedTicks);
        }
    }

    void ISseHandler.OnData(ReadOnlySpan<byte> value, long receivedTicks)
    {
        if (SkippedMarker.Count(value, out var skipped) is var markers and > 0)
        {
            SkippedMarkers += markers;
            LogLinesSkipped += skipped;
        }

        if (_run.FleetMarker is { } fleetMarker && value.IndexOf(fleetMarker) >= 0)
        {
            (Fleet ??= new FleetLines(_run, fleetMarker)).Scan(value, receivedTicks);
            return;
        }

        int at;
        while ((at = value.IndexOf(LogMarker)) >= 0)
        {
            value = value[(at + LogMarker.Length)..];
            if (!Utf8Parser.TryParse(value, out long seq, out var consumed) || consumed >= value.Length || value[consumed] != ' ')
            {
                continue;
            }

            value = value[(consumed + 1)..];
            if (!Utf8Parser.TryParse(value, out long writtenMicros, out consumed))
            {
                continue;
            }

            value = value[consumed..];
            LogLines++;
            if (MarkLine(seq))
            {
                LogLinesUnique++;
                var receivedMicros = (receivedTicks - DateTime.UnixEpoch.Ticks) / 10;
                _run.LogLag.Record(receivedMicros - writtenMicros);
            }
        }
    }

    void ISseHandler.OnComment() => Comments++;

    // True the first time a sequence number is seen.
    private bool MarkLine(long seq)
    {
        if (seq < 0 || seq > 100_000_000)
        {
            return false;
        }

        var word = (int)(seq / 64);
        if (word >= _linesSeen.Length)
        {
            Array.Resize(ref _linesSeen, Math.Max(word + 1, _linesSeen.Length * 2));
        }

        var bit = 1UL << (int)(seq % 64);
        var fresh = (_linesSeen[word] & bit) == 0;
        _linesSeen[word] |= bit;
        return fresh;
    }
}
