namespace Supervisor.Protocol.Admission;

/// <summary>
/// Live connections per key (a client address for --max-per-ip, a user id for
/// --max-per-user). A slot is reserved before the work it guards starts, so two
/// handshakes racing for the last slot cannot both win; keys at zero are dropped, so
/// the table holds only keys with live connections. Thread-safe.
/// </summary>
public sealed class KeyedCounter(int limit)
{
    private readonly Dictionary<string, int> _counts = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    /// <summary>At most this many per key; 0 means no limit (still counted).</summary>
    public int Limit { get; } = limit >= 0 ? limit : throw new ArgumentOutOfRangeException(nameof(limit));

    /// <summary>Keys with at least one live connection.</summary>
    public int KeyCount
    {
        get
        {
            lock (_lock)
                return _counts.Count;
        }
    }

    public int CountOf(string key)
    {
        lock (_lock)
            return _counts.GetValueOrDefault(key);
    }

    /// <summary>Takes one slot for <paramref name="key"/>; false (nothing taken) when the
    /// key already holds <see cref="Limit"/>.</summary>
    public bool TryAcquire(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        lock (_lock)
        {
            int count = _counts.GetValueOrDefault(key);
            if (Limit > 0 && count >= Limit)
                return false;
            _counts[key] = count + 1;
            return true;
        }
    }

    /// <summary>Gives back one slot taken by <see cref="TryAcquire"/>.</summary>
    public void Release(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        lock (_lock)
        {
            if (!_counts.TryGetValue(key, out int count))
                throw new InvalidOperationException($"release of \"{key}\" without an acquire");
            if (count <= 1)
                _counts.Remove(key);
            else
                _counts[key] = count - 1;
        }
    }
}
