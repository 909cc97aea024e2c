namespace SseDashboard.LogTail;

/// <summary>
/// Files finished after they were renamed away, by identity, with how far they were read: a glob that later matches
/// one goes on from there. Keeps the last 64 remembered.
/// </summary>
internal sealed class FinishedFiles
{
    private const int Capacity = 64;

    private readonly Dictionary<FileIdentity, long> _positions = [];
    private readonly Queue<FileIdentity> _order = new();

    public void Remember(FileIdentity id, long position)
    {
        if (_positions.TryAdd(id, position))
        {
            _order.Enqueue(id);
            if (_order.Count > Capacity)
            {
                _positions.Remove(_order.Dequeue());
            }
        }
        else
        {
            _positions[id] = position;
        }
    }

    public bool TryGetPosition(FileIdentity id, out long position) => _positions.TryGetValue(id, out position);
}
