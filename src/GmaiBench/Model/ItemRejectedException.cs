namespace GmaiBench.Model;

/// <summary>A decode or normalisation failure with a short machine-readable reason; ends as the item's reject.</summary>
public sealed class ItemRejectedException(string reason, string message) : Exception(message)
{
    public string Reason { get; } = reason;
}
