namespace GmaiBench.Release.ParquetPages;

/// <summary>
/// The Thrift compact protocol, as far as Parquet's page headers need it (Apache Thrift, doc/specs/thrift-compact-protocol.md):
/// field headers, zigzag varint integers, and skipping any field or value this reader does not use. Every read is bounded
/// by the <see cref="ChunkInput"/>'s limit, varints are at most their type's length, and nesting is capped, so damaged bytes
/// end in a <see cref="MalformedPageException"/>, never in a loop or a deep recursion.
/// </summary>
public sealed class ThriftCompactReader(ChunkInput input)
{
    // Compact type ids (thrift-compact-protocol.md, "Struct encoding").
    public const byte Stop = 0, BoolTrue = 1, BoolFalse = 2, Byte = 3, I16 = 4, I32 = 5, I64 = 6, Double = 7, Binary = 8,
        List = 9, Set = 10, Map = 11, Struct = 12;

    /// <summary>Structs and containers nested deeper than this are not a Parquet page header.</summary>
    private const int MaxDepth = 16;

    public static string TypeName(byte type) => type switch
    {
        BoolTrue or BoolFalse => "bool", Byte => "i8", I16 => "i16", I32 => "i32", I64 => "i64", Double => "double",
        Binary => "binary", List => "list", Set => "set", Map => "map", Struct => "struct", _ => $"unknown type {type}",
    };

    /// <summary>The next field of a struct: its id and compact type, or type <see cref="Stop"/> at the struct's end.</summary>
    public (short Id, byte Type) ReadFieldHeader(ref short lastId)
    {
        var header = input.ReadByte();
        if (header == Stop) return (0, Stop);
        var type = (byte)(header & 0x0F);
        var delta = header >> 4;
        // A delta of 0 means the id follows as a zigzag i16 (ids out of order, or more than 15 apart).
        long id = delta != 0 ? lastId + delta : ZigZag(ReadVarint(3, "a field id"));
        if (id is < short.MinValue or > short.MaxValue) throw new MalformedPageException($"a field id of {id}, outside the i16 range");
        if (type is Stop or > Struct) throw new MalformedPageException($"field {id} has {TypeName(type)}");
        lastId = (short)id;
        return ((short)id, type);
    }

    /// <summary>An i32 field's value; a field of another type is an error naming <paramref name="name"/>.</summary>
    public int ReadI32(byte type, string name)
    {
        if (type != I32) throw new MalformedPageException($"{name} is a Thrift {TypeName(type)}, not an i32");
        var value = ZigZag(ReadVarint(5, name));
        if (value is < int.MinValue or > int.MaxValue) throw new MalformedPageException($"{name} ({value}) does not fit an i32");
        return (int)value;
    }

    /// <summary>Skips a value of <paramref name="type"/>, whatever it holds.</summary>
    public void Skip(byte type, int depth = 0)
    {
        if (depth > MaxDepth) throw new MalformedPageException($"Thrift values nested more than {MaxDepth} deep");
        switch (type)
        {
            case BoolTrue or BoolFalse: return;   // a bool field's value is its type id
            case Byte: input.Skip(1); return;
            case I16: ReadVarint(3, "an i16"); return;
            case I32: ReadVarint(5, "an i32"); return;
            case I64: ReadVarint(10, "an i64"); return;
            case Double: input.Skip(8); return;
            case Binary:
                var length = ReadVarint(5, "a binary's length");
                if (length > int.MaxValue) throw new MalformedPageException($"a binary of {length} bytes");
                input.Skip((long)length);
                return;
            case List or Set:
            {
                var header = input.ReadByte();
                var elementType = (byte)(header & 0x0F);
                var count = (ulong)(header >> 4);
                if (count == 15) count = ReadVarint(5, "a list's size");
                // In a list, a bool takes one byte (compact protocol, "List and Set"); element types are checked by SkipElement.
                for (ulong i = 0; i < count; i++) SkipElement(elementType, depth + 1);
                return;
            }
            case Map:
            {
                var count = ReadVarint(5, "a map's size");
                if (count == 0) return;
                var types = input.ReadByte();
                for (ulong i = 0; i < count; i++)
                {
                    SkipElement((byte)(types >> 4), depth + 1);
                    SkipElement((byte)(types & 0x0F), depth + 1);
                }
                return;
            }
            case Struct:
            {
                short last = 0;
                while (ReadFieldHeader(ref last) is var (_, fieldType) && fieldType != Stop) Skip(fieldType, depth + 1);
                return;
            }
            default: throw new MalformedPageException($"a value of {TypeName(type)}");
        }
    }

    /// <summary>A container element: as a field value, except that a bool is a byte of its own.</summary>
    private void SkipElement(byte type, int depth)
    {
        if (type is BoolTrue or BoolFalse) { input.Skip(1); return; }
        if (type is Stop or > Struct) throw new MalformedPageException($"a container of {TypeName(type)}");
        Skip(type, depth);
    }

    /// <summary>An unsigned LEB128 varint of at most <paramref name="maxBytes"/> bytes.</summary>
    private ulong ReadVarint(int maxBytes, string what)
    {
        ulong value = 0;
        for (var i = 0; i < maxBytes; i++)
        {
            var b = input.ReadByte();
            value |= (ulong)(b & 0x7F) << (7 * i);
            if ((b & 0x80) == 0) return value;
        }
        throw new MalformedPageException($"the varint of {what} runs over {maxBytes} bytes");
    }

    private static long ZigZag(ulong v) => (long)(v >> 1) ^ -(long)(v & 1);
}
