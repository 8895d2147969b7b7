using System.Diagnostics;
using Supervisor.Benchmarks.Client;
using Supervisor.Benchmarks.Reporting;
using Supervisor.Benchmarks.Servers;

namespace Supervisor.Benchmarks.Metrics;

/// <summary>
/// Throughput on one connection through the C echo app (apps/echo.c), pipelined: a sender
/// keeps <see cref="Depth"/> messages in flight, a receiver counts the echoes and frees a
/// slot for each. MB/s (MiB, 1,048,576 bytes) of echoed payload over the time from the
/// first send to the last echo. No progress for <see cref="StallAfter"/> is a stall, the
/// expected result for websocketd with 64 KiB messages three or more deep; a run that
/// passes its time bound stops sending and is measured over what it did.
/// </summary>
public sealed record Throughput(int MessageBytes, int Depth, long TotalBytes)
{
    public static readonly TimeSpan StallAfter = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan TimeBound = TimeSpan.FromSeconds(30);

    public string Title => $"throughput {Size(MessageBytes)} × {Depth}";

    public RowSpec Row => new(
        $"throughput, {Size(MessageBytes)} messages, {Depth} in flight (C echo app)", "rate", "MB/s", Goal.RatioAtLeast,
        Target: "≥ 1.0×, no stall");

    private static string Size(int bytes) => bytes >= 1024 ? $"{bytes / 1024} KiB" : $"{bytes} B";

    public async Task<RunResult> RunAsync(Harness harness, ServerProcess server)
    {
        long messages = Math.Max(1, TotalBytes / MessageBytes);
        // Printable ASCII, no newline: one message is one line to the app.
        byte[] payload = Enumerable.Range(0, MessageBytes).Select(i => (byte)('a' + i % 26)).ToArray();

        using var connectDeadline = harness.Deadline(TimeSpan.FromSeconds(10));
        var connection = await harness.Client.ConnectAsync(server.Endpoint, connectDeadline.Token);
        await connection.EchoAsync(payload, connectDeadline.Token);

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(harness.Cancellation);
        using var slots = new SemaphoreSlim(Depth, Depth);
        long sent = 0;
        long received = 0;
        long limit = messages; // lowered to `sent` if the time bound passes
        long lastEcho = 0;

        async Task Send()
        {
            var clock = Stopwatch.StartNew();
            for (long i = 0; i < messages; i++)
            {
                await slots.WaitAsync(stop.Token);
                if (clock.Elapsed > TimeBound)
                    break;
                await connection.SendTextAsync(payload, stop.Token);
                Interlocked.Increment(ref sent);
            }
            Interlocked.Exchange(ref limit, Interlocked.Read(ref sent));
        }

        async Task Receive()
        {
            while (Interlocked.Read(ref received) < Interlocked.Read(ref limit))
            {
                int length = await connection.ReceiveAsync(Memory<byte>.Empty, stop.Token);
                if (length != MessageBytes)
                    throw new InvalidDataException(length < 0 ? "the server closed the connection" : $"a {MessageBytes}-byte message came back as {length}");
                Interlocked.Exchange(ref lastEcho, Stopwatch.GetTimestamp());
                Interlocked.Increment(ref received);
                slots.Release();
            }
        }

        long started = Stopwatch.GetTimestamp();
        var sender = Task.Run(Send);
        var receiver = Task.Run(Receive);
        var all = Task.WhenAll(sender, receiver);

        // The watchdog: done, stalled, or the receiver waiting for an echo that will not come
        // because the sender stopped at the time bound with nothing left in flight.
        long seen = -1;
        var quiet = Stopwatch.StartNew();
        bool stalled = false;
        while (!all.IsCompleted)
        {
            await Task.WhenAny(all, Task.Delay(100, CancellationToken.None));
            long now = Interlocked.Read(ref received);
            if (now != seen)
            {
                (seen, quiet) = (now, Stopwatch.StartNew());
            }
            else if (sender.IsCompleted && now >= Interlocked.Read(ref limit))
            {
                stop.Cancel();
                break;
            }
            else if (quiet.Elapsed > StallAfter)
            {
                stalled = true;
                break;
            }
            harness.Cancellation.ThrowIfCancellationRequested();
        }

        if (stalled)
        {
            connection.Abort();
            await Task.WhenAny(all, Task.Delay(TimeSpan.FromSeconds(2)));
            var failed = RunResult.Failed(RunResult.Stalled);
            failed.Notes.Add($"{server.Name}: {Title} stalled after {seen} of {messages} echoes ({seen * MessageBytes / 1048576.0:0.#} MB), no echo for {StallAfter.TotalSeconds} s");
            return failed;
        }

        try
        {
            await all;
        }
        catch (OperationCanceledException) when (!harness.Cancellation.IsCancellationRequested)
        {
            // The watchdog's stop once everything sent had come back.
        }
        catch
        {
            connection.Abort();
            throw;
        }
        await connection.CloseAsync(TimeSpan.FromSeconds(3));

        double seconds = Stopwatch.GetElapsedTime(started, Interlocked.Read(ref lastEcho)).TotalSeconds;
        long bytes = Interlocked.Read(ref received) * MessageBytes;
        var result = new RunResult();
        result.Values["rate"] = bytes / 1048576.0 / seconds;
        if (Interlocked.Read(ref received) < messages)
            result.Notes.Add($"{server.Name}: {Title} stopped at the {TimeBound.TotalSeconds} s bound after {bytes / 1048576.0:0.#} of {TotalBytes / 1048576.0:0.#} MB");
        return result;
    }
}
