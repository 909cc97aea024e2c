namespace SseDashboard.LogTail;

/// <summary>How far a followed file has been read, to the end of its last whole line.</summary>
public sealed record FilePosition(FileIdentity Identity, string Path, long Offset);

/// <summary>
/// Where followed files were read to when the app last stopped, by identity: a file seen before goes on from there
/// instead of its last <c>InitialLines</c>. Supplied by the history store; none by default.
/// </summary>
public interface IFilePositions
{
    Task<IReadOnlyDictionary<FileIdentity, long>> LoadAsync(CancellationToken cancellationToken);
}

internal sealed class NoFilePositions : IFilePositions
{
    public Task<IReadOnlyDictionary<FileIdentity, long>> LoadAsync(CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyDictionary<FileIdentity, long>>(new Dictionary<FileIdentity, long>());
}
