using System.Diagnostics;
using Supervisor.Benchmarks.Client;

namespace Supervisor.Benchmarks.Metrics;

/// <summary>
/// Every connection's incoming messages, timestamped on arrival, for the broadcast metric.
/// The raw client's blocking connections are read by one <see cref="PolledReceiver"/>
/// thread, the cheapest way there is to keep a thousand clients from taking the cores the
/// server is measured on;
/// the ClientWebSocket client (<c>--client bcl</c>) by one async loop per connection.
/// </summary>
public abstract class Listeners : IAsyncDisposable
{
    public delegate void Arrival(ReadOnlySpan<byte> message, long arrived);

    /// <summary>Why a client stopped receiving early, if one did.</summary>
    public abstract Exception? Failure { get; }

    public abstract ValueTask DisposeAsync();

    public static Listeners Start(IWsConnection[] connections, Arrival arrived, CancellationToken cancellation) =>
        connections.All(c => c is RawWebSocket)
            ? new Polled(connections.Cast<RawWebSocket>().ToArray(), arrived)
            : new Looped(connections, arrived, cancellation);

    private sealed class Polled : Listeners
    {
        private readonly PolledReceiver _receiver;

        public Polled(RawWebSocket[] connections, Arrival arrived)
        {
            _receiver = new PolledReceiver(connections, (_, payload, at) => arrived(payload, at));
            _receiver.Start();
        }

        public override Exception? Failure => _receiver.Failure;

        public override ValueTask DisposeAsync()
        {
            _receiver.Dispose();
            return ValueTask.CompletedTask;
        }
    }

    private sealed class Looped : Listeners
    {
        private readonly CancellationTokenSource _stop;
        private readonly Task[] _loops;

        public Looped(IWsConnection[] connections, Arrival arrived, CancellationToken cancellation)
        {
            _stop = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
            _loops = connections.Select(c => Task.Run(() => ListenAsync(c, arrived, _stop.Token))).ToArray();
        }

        public override Exception? Failure =>
            _loops.FirstOrDefault(l => l.IsFaulted)?.Exception?.InnerException;

        private static async Task ListenAsync(IWsConnection connection, Arrival arrived, CancellationToken stop)
        {
            var buffer = new byte[256];
            while (true)
            {
                int length = await connection.ReceiveAsync(buffer, stop);
                if (length < 0)
                    return;
                arrived(buffer.AsSpan(0, Math.Min(length, buffer.Length)), Stopwatch.GetTimestamp());
            }
        }

        public override async ValueTask DisposeAsync()
        {
            _stop.Cancel();
            await Task.WhenAny(Task.WhenAll(_loops), Task.Delay(TimeSpan.FromSeconds(5)));
            _stop.Dispose();
        }
    }
}
