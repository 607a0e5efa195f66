namespace GmaiBench.Release.ParquetPages;

/// <summary>
/// A column chunk that cannot be read: damaged, cut short, or written with something this reader does not read (the
/// message then says "unsupported"). The message says what and where, in byte offsets from the start of the file.
/// </summary>
public sealed class MalformedPageException(string message) : IOException(message);
