using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace Campus.IoT.Alerting;

/// <summary>
/// One gateway's devices by id, for the engine's hot path: open addressing on a 64-bit hash of the id (FNV-1a over its
/// characters), each slot a (hash, state) pair in one array. A lookup reads only this table — about 2 KB for a gateway of
/// 100 devices, so it stays in cache — and never the state it finds: the caller checks the id against the state's own
/// copy later, once the states of the whole message are on their way into the cache together (see
/// <c>AlarmEngine.Resolve</c>). A <see cref="Dictionary{TKey, TValue}"/> keyed by the id compares the stored id on every
/// lookup, i.e. reads each device's state one cache miss at a time. Two ids of one gateway with the same 64-bit hash
/// (about 2^-51 for a gateway of 100 devices) are still told apart: the second is kept by id in <see cref="FindCollided"/>.
/// </summary>
internal sealed class DeviceTable<T>
    where T : class
{
    private (ulong Hash, T? State)[] _slots = new (ulong, T?)[16];
    private int _count;
    private Dictionary<string, T>? _collided;

    /// <summary>FNV-1a over the id's UTF-16 code units taken four at a time (an id is short: a few multiplications).</summary>
    public static ulong Hash(string id)
    {
        var hash = 14695981039346656037UL ^ (ulong)id.Length;
        var bytes = MemoryMarshal.AsBytes(id.AsSpan());
        while (bytes.Length >= 8)
        {
            hash = (hash ^ BinaryPrimitives.ReadUInt64LittleEndian(bytes)) * 1099511628211UL;
            hash ^= hash >> 32;
            bytes = bytes[8..];
        }

        foreach (var b in bytes)
        {
            hash = (hash ^ b) * 1099511628211UL;
        }

        return hash;
    }

    /// <summary>The state stored under <paramref name="hash"/>, not checked against the id; null when there is none.</summary>
    public T? Find(ulong hash)
    {
        var mask = _slots.Length - 1;
        for (var i = Start(hash, mask); ; i = (i + 1) & mask)
        {
            ref var slot = ref _slots[i];
            if (slot.State is null || slot.Hash == hash)
            {
                return slot.State;
            }
        }
    }

    /// <summary>A device whose id shares its hash with another's (see the class).</summary>
    public T? FindCollided(string id) => _collided is not null && _collided.TryGetValue(id, out var state) ? state : null;

    /// <summary>Adds a device whose hash is not in the table yet.</summary>
    public void Add(ulong hash, T state)
    {
        if ((_count + 1) * 4 > _slots.Length * 3)
        {
            var old = _slots;
            _slots = new (ulong, T?)[old.Length * 2];
            foreach (var (h, s) in old)
            {
                if (s is not null)
                {
                    Insert(h, s);
                }
            }
        }

        Insert(hash, state);
        _count++;
    }

    public void AddCollided(string id, T state) => (_collided ??= new Dictionary<string, T>(StringComparer.Ordinal))[id] = state;

    public IEnumerable<T> All => _slots.Where(s => s.State is not null).Select(s => s.State!).Concat(_collided?.Values ?? Enumerable.Empty<T>());

    /// <summary>FNV's low bits depend only on the characters' low bits: fold the high half in.</summary>
    private static int Start(ulong hash, int mask) => (int)(hash ^ (hash >> 29)) & mask;

    private void Insert(ulong hash, T state)
    {
        var mask = _slots.Length - 1;
        var i = Start(hash, mask);
        while (_slots[i].State is not null)
        {
            i = (i + 1) & mask;
        }

        _slots[i] = (hash, state);
    }
}
