namespace SseDashboard.Streaming;

/// <summary>
/// Puts back what a payload carries in memory only (a sparkline's recent values, which JSON leaves out) into one read
/// back from a fleet's store. Registered by the feature whose payload it is.
/// </summary>
public interface IPayloadRestorer
{
    object Restore(Topic topic, object payload);
}
