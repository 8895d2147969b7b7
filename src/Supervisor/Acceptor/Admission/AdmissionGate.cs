using System.Diagnostics;
using Supervisor.Options;
using Supervisor.Protocol.Admission;
using Supervisor.Protocol.Handshake;

namespace Supervisor.Acceptor.Admission;

/// <summary>
/// The counting limits: --maxforks (in total), --max-per-ip, --max-per-user and
/// --max-spawn-rate. An upgrade takes its slots before anything is spawned for it (the
/// auth program included), so handshakes that race for the last slot, or that wait on
/// auth, are counted from the start; the <see cref="AdmissionTicket"/> gives the slots
/// back when the connection ends (its worker reports Ready, or exits), or, if the upgrade
/// goes no further, before the refusal is written: a refused client's lingering close
/// must not hold a slot that the next upgrade is refused for.
/// </summary>
public sealed class AdmissionGate
{
    private readonly int _maxTotal;
    private readonly KeyedCounter _perIp;
    private readonly KeyedCounter _perUser;
    private readonly TokenBucket? _spawns;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private int _total;

    public AdmissionGate(ServerOptions options)
    {
        _maxTotal = options.Limits.MaxForks;
        _perIp = new KeyedCounter(options.Admission.MaxPerIp);
        _perUser = new KeyedCounter(options.Admission.MaxPerUser);
        int rate = options.Admission.MaxSpawnRate;
        // A burst of one second's worth: a page reload reconnecting every tab at once is
        // served, a sustained flood is held to the rate.
        _spawns = rate > 0 ? new TokenBucket(rate, rate, _clock.Elapsed) : null;
    }

    /// <summary>Admitted connections: live workers plus upgrades between admission and handoff.</summary>
    public int Count => Volatile.Read(ref _total);

    /// <summary>Reserves a slot in total and for <paramref name="clientAddress"/>, and takes
    /// a spawn token. On refusal nothing is held and <paramref name="ticket"/> is null.</summary>
    public RejectionReason TryAdmit(string clientAddress, out AdmissionTicket? ticket)
    {
        ticket = null;
        if (!TryTakeTotal())
            return RejectionReason.AtCapacity;
        if (!_perIp.TryAcquire(clientAddress))
        {
            Interlocked.Decrement(ref _total);
            return RejectionReason.PerIpLimit;
        }
        // Last, so a connection refused above does not spend a token.
        if (_spawns is not null && !_spawns.TryTake(_clock.Elapsed))
        {
            _perIp.Release(clientAddress);
            Interlocked.Decrement(ref _total);
            return RejectionReason.SpawnRateLimit;
        }
        ticket = new AdmissionTicket(this, clientAddress);
        return RejectionReason.None;
    }

    private bool TryTakeTotal()
    {
        if (_maxTotal <= 0)
        {
            Interlocked.Increment(ref _total);
            return true;
        }
        while (true)
        {
            int current = Volatile.Read(ref _total);
            if (current >= _maxTotal)
                return false;
            if (Interlocked.CompareExchange(ref _total, current + 1, current) == current)
                return true;
        }
    }

    internal bool TryAcquireUser(string userId) => _perUser.TryAcquire(userId);

    internal void Release(string clientAddress, string? userId)
    {
        if (userId is not null)
            _perUser.Release(userId);
        _perIp.Release(clientAddress);
        Interlocked.Decrement(ref _total);
    }
}

/// <summary>One admitted upgrade's slots. Disposing gives them back, once, whoever does
/// it; <see cref="Transfer"/> moves them to a new owner (the registry entry of the worker).</summary>
public sealed class AdmissionTicket : IDisposable
{
    private readonly AdmissionGate _gate;
    private readonly string _clientAddress;
    private string? _userId;
    private int _released;

    internal AdmissionTicket(AdmissionGate gate, string clientAddress, string? userId = null)
    {
        _gate = gate;
        _clientAddress = clientAddress;
        _userId = userId;
    }

    /// <summary>A ticket holding these slots; this one then releases nothing.</summary>
    public AdmissionTicket Transfer()
    {
        if (Interlocked.Exchange(ref _released, 1) != 0)
            throw new ObjectDisposedException(nameof(AdmissionTicket));
        return new AdmissionTicket(_gate, _clientAddress, _userId);
    }

    /// <summary>Counts this connection for <paramref name="userId"/> (known once the auth
    /// program has answered); <see cref="RejectionReason.PerUserLimit"/> if that user is full.</summary>
    public RejectionReason TryAddUser(string userId)
    {
        if (_userId is not null)
            throw new InvalidOperationException("the ticket already has a user");
        if (!_gate.TryAcquireUser(userId))
            return RejectionReason.PerUserLimit;
        _userId = userId;
        return RejectionReason.None;
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _released, 1) == 0)
            _gate.Release(_clientAddress, _userId);
    }
}
