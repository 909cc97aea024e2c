using System.Buffers.Text;
using System.Text;

namespace SseDashboard.Bench.Client;

/// <summary>What a connection does with the parsed stream; called on the reading thread, once per item.</summary>
internal interface ISseHandler
{
    /// <summary>Index of an event name (the topic); called once per event that has an <c>event:</c> line.</summary>
    int TopicIndex(ReadOnlySpan<byte> eventName);

    /// <summary>A dispatched event: topic (-1 when unnamed), id (-1 when none), publish time in ticks (0 when none).</summary>
    void OnEvent(int topic, long id, long publishedTicks, long receivedTicks);

    /// <summary>One <c>data:</c> line (the log scenario scans it for its markers).</summary>
    void OnData(ReadOnlySpan<byte> value, long receivedTicks);

    void OnComment();
}

/// <summary>
/// Incremental parser for one HTTP/1.1 SSE response: status line and headers, chunked transfer coding, then SSE
/// lines. Hand-written rather than HttpClient + SseParser because 10,000 of them share two cores with the server
/// being measured: no allocation per event, the publish timestamp read straight from the bytes.
/// </summary>
internal sealed class SseResponseParser(ISseHandler handler)
{
    private static ReadOnlySpan<byte> JsonTimestamp => "\"timestamp\":\""u8;

    private static ReadOnlySpan<byte> HtmlDatetime => "datetime=\""u8;

    private State _state = State.Headers;
    private byte[] _headers = [];
    private int _headersLength;
    private long _chunkRemaining;
    private bool _chunkExtension;
    private byte[] _line = [];
    private int _lineLength;
    private bool _hasData;
    private int _topic = -1;
    private long _id = -1;
    private long _published;

    private enum State
    {
        Headers,
        ChunkSize,
        ChunkData,
        ChunkDataEnd,
        Identity,
        Ended,
    }

    /// <summary>The response status code, 0 until the headers are complete.</summary>
    public int StatusCode { get; private set; }

    public bool HeadersComplete => _state != State.Headers;

    /// <summary>True once a chunked body ended with its last chunk.</summary>
    public bool Ended => _state == State.Ended;

    public void Feed(ReadOnlySpan<byte> bytes, long receivedTicks)
    {
        while (!bytes.IsEmpty)
        {
            switch (_state)
            {
                case State.Headers:
                    bytes = FeedHeaders(bytes);
                    break;
                case State.ChunkSize:
                    bytes = FeedChunkSize(bytes);
                    break;
                case State.ChunkData:
                    var take = (int)Math.Min(_chunkRemaining, bytes.Length);
                    FeedBody(bytes[..take], receivedTicks);
                    bytes = bytes[take..];
                    _chunkRemaining -= take;
                    if (_chunkRemaining == 0)
                    {
                        _state = State.ChunkDataEnd;
                    }

                    break;
                case State.ChunkDataEnd:
                    var lf = bytes.IndexOf((byte)'\n');
                    if (lf < 0)
                    {
                        return;
                    }

                    bytes = bytes[(lf + 1)..];
                    _state = State.ChunkSize;
                    break;
                case State.Identity:
                    FeedBody(bytes, receivedTicks);
                    return;
                default:
                    return;
            }
        }
    }

    private ReadOnlySpan<byte> FeedHeaders(ReadOnlySpan<byte> bytes)
    {
        var before = _headersLength;
        Append(ref _headers, ref _headersLength, bytes);
        var end = _headers.AsSpan(0, _headersLength).IndexOf("\r\n\r\n"u8);
        if (end < 0)
        {
            if (_headersLength > 64 * 1024)
            {
                throw new InvalidDataException("Response headers exceed 64 KiB.");
            }

            return [];
        }

        var text = Encoding.ASCII.GetString(_headers, 0, end);
        var lines = text.Split("\r\n");
        var status = lines[0].Split(' ');
        StatusCode = status.Length > 1 && int.TryParse(status[1], out var code) ? code : throw new InvalidDataException($"Bad status line '{lines[0]}'.");
        var chunked = lines.Skip(1).Any(l =>
            l.StartsWith("Transfer-Encoding:", StringComparison.OrdinalIgnoreCase)
            && l.Contains("chunked", StringComparison.OrdinalIgnoreCase));
        _state = chunked ? State.ChunkSize : State.Identity;
        _headers = [];
        _headersLength = 0;
        return bytes[(end + 4 - before)..];
    }

    private ReadOnlySpan<byte> FeedChunkSize(ReadOnlySpan<byte> bytes)
    {
        for (var i = 0; i < bytes.Length; i++)
        {
            var b = bytes[i];
            if (b == '\n')
            {
                if (_chunkRemaining == 0)
                {
                    // The last chunk: the server ended the response.
                    _state = State.Ended;
                    return [];
                }

                _chunkExtension = false;
                _state = State.ChunkData;
                return bytes[(i + 1)..];
            }

            if (_chunkExtension || b == '\r')
            {
                continue;
            }

            var digit = HexValue(b);
            if (digit < 0)
            {
                _chunkExtension = true;
                continue;
            }

            _chunkRemaining = (_chunkRemaining << 4) | (uint)digit;
        }

        return [];
    }

    private static int HexValue(byte b) => b switch
    {
        >= (byte)'0' and <= (byte)'9' => b - '0',
        >= (byte)'a' and <= (byte)'f' => b - 'a' + 10,
        >= (byte)'A' and <= (byte)'F' => b - 'A' + 10,
        _ => -1,
    };

    private void FeedBody(ReadOnlySpan<byte> data, long receivedTicks)
    {
        int lf;
        if (_lineLength > 0)
        {
            lf = data.IndexOf((byte)'\n');
            if (lf < 0)
            {
                Append(ref _line, ref _lineLength, data);
                return;
            }

            Append(ref _line, ref _lineLength, data[..lf]);
            var carried = _lineLength;
            _lineLength = 0;
            ProcessLine(_line.AsSpan(0, carried), receivedTicks);
            data = data[(lf + 1)..];
        }

        while ((lf = data.IndexOf((byte)'\n')) >= 0)
        {
            ProcessLine(data[..lf], receivedTicks);
            data = data[(lf + 1)..];
        }

        if (!data.IsEmpty)
        {
            Append(ref _line, ref _lineLength, data);
        }
    }

    private void ProcessLine(ReadOnlySpan<byte> line, long receivedTicks)
    {
        if (!line.IsEmpty && line[^1] == '\r')
        {
            line = line[..^1];
        }

        if (line.IsEmpty)
        {
            if (_hasData)
            {
                handler.OnEvent(_topic, _id, _published, receivedTicks);
            }

            _hasData = false;
            _topic = -1;
            _id = -1;
            _published = 0;
            return;
        }

        if (line[0] == ':')
        {
            handler.OnComment();
            return;
        }

        var colon = line.IndexOf((byte)':');
        var name = colon < 0 ? line : line[..colon];
        var value = colon < 0 ? [] : line[(colon + 1)..];
        if (!value.IsEmpty && value[0] == ' ')
        {
            value = value[1..];
        }

        if (name.SequenceEqual("data"u8))
        {
            _hasData = true;
            if (_published == 0)
            {
                _published = FindTimestamp(value);
            }

            handler.OnData(value, receivedTicks);
        }
        else if (name.SequenceEqual("id"u8))
        {
            _id = Utf8Parser.TryParse(value, out long id, out var consumed) && consumed == value.Length ? id : -1;
        }
        else if (name.SequenceEqual("event"u8))
        {
            _topic = handler.TopicIndex(value);
        }
    }

    /// <summary>The publish time in a data line: JSON <c>"timestamp":"…"</c> or HTML <c>datetime="…"</c>; 0 if none.</summary>
    internal static long FindTimestamp(ReadOnlySpan<byte> value)
    {
        var at = value.IndexOf(JsonTimestamp);
        var skip = JsonTimestamp.Length;
        if (at < 0)
        {
            at = value.IndexOf(HtmlDatetime);
            skip = HtmlDatetime.Length;
        }

        if (at < 0)
        {
            return 0;
        }

        var rest = value[(at + skip)..];
        var quote = rest.IndexOf((byte)'"');
        return quote > 0 && IsoTimestamp.TryParseUtcTicks(rest[..quote], out var ticks) ? ticks : 0;
    }

    private static void Append(ref byte[] buffer, ref int length, ReadOnlySpan<byte> bytes)
    {
        if (length + bytes.Length > buffer.Length)
        {
            Array.Resize(ref buffer, Math.Max(256, Math.Max(buffer.Length * 2, length + bytes.Length)));
        }

        bytes.CopyTo(buffer.AsSpan(length));
        length += bytes.Length;
    }
}
