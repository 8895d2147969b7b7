using System.Diagnostics;
using System.Net.WebSockets;
using System.Text;
using Supervisor.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace Supervisor.IntegrationTests.Bus;

/// <summary>The global FIFO's promise under load: concurrent writers of lines up to
/// PIPE_BUF (4096 bytes) never tear each other's lines, and every connected client gets
/// every line once, each writer's lines in the order written.</summary>
[Collection(LoadCollection.Name)]
public sealed class BroadcastFanOutTests(ITestOutputHelper output)
{
    private const int Clients = 100;
    private const int Writers = 10;
    private const int LinesPerWriter = 200;
    private const int PipeBuf = 4096;
    private const string EndMarker = "end of the fan-out test";

    /// <summary>The issue's promise as written: ten writers as fast as the FIFO takes
    /// them, about 4 MiB in under a second.</summary>
    [Fact]
    public Task Broadcast_ConcurrentFifoWriters_EveryClientGetsEveryLineOnce() => FanOutAsync(LinesPerWriter);

    /// <summary>The same writers at full speed with 25 lines each: 250 lines, fewer than a
    /// connection's queue holds (256), so no queue can fill however loaded the machine is.
    /// Atomicity, order and exactly-once on their own, across many FIFO reads.</summary>
    [Fact]
    public Task Broadcast_ConcurrentFifoWritersWithinOneQueue_EveryClientGetsEveryLineOnce() =>
        FanOutAsync(linesPerWriter: 25);

    private async Task FanOutAsync(int linesPerWriter)
    {
        int totalLines = Writers * linesPerWriter;
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        using var server = SupervisorProcess.Start(Paths.Script("echo.sh"));
        var clock = Stopwatch.StartNew();
        var clients = await ConnectAllAsync(server, cts.Token);
        try
        {
            await BusControl.WaitForConnectionsAsync(server, Clients, TimeSpan.FromSeconds(30), cts.Token);
            output.WriteLine($"{Clients} clients connected in {clock.ElapsedMilliseconds} ms");

            clock.Restart();
            using var receiving = CancellationTokenSource.CreateLinkedTokenSource(cts.Token);
            var receivers = clients.Select(c => Task.Run(() => ReceiveAllAsync(c, linesPerWriter, receiving.Token))).ToArray();
            // Real concurrent writers: one thread and one open file description each, every
            // line one write(2), as ten cron jobs or PHP pages would write.
            var writers = Enumerable.Range(0, Writers)
                .Select(w => Task.Factory.StartNew(() => WriteLines(server.FifoPath, w, linesPerWriter), cts.Token,
                    TaskCreationOptions.LongRunning, TaskScheduler.Default))
                .ToArray();
            await Task.WhenAll(writers);
            long written = clock.ElapsedMilliseconds;
            // After every writer's last line: anything a client gets past its last line
            // and before this marker would be a duplicate. A client whose marker was
            // dropped stops waiting 6 s later.
            await File.WriteAllTextAsync(server.FifoPath, EndMarker + "\n", cts.Token);
            await Task.WhenAny(Task.WhenAll(receivers), Task.Delay(TimeSpan.FromSeconds(6), cts.Token));
            // Counted before a late receiver is cancelled, which aborts its connection.
            var list = await BusControl.QueryAsync(server.ControlPath, "list", cts.Token);
            long dropped = list.EnumerateArray().Sum(c => c.GetProperty("dropped").GetInt64());
            receiving.Cancel();
            var results = await Task.WhenAll(receivers);
            output.WriteLine($"{totalLines} lines ({TotalBytes(linesPerWriter) / 1024} KiB) written in {written} ms; " +
                $"the receivers were done {clock.ElapsedMilliseconds} ms after the first write");

            var failures = results.Select((r, i) => (r, i)).Where(x => x.r.Errors.Count > 0).ToList();
            Assert.True(failures.Count == 0,
                $"{failures.Count} of {Clients} clients did not get every line exactly once, whole and in order " +
                $"(the acceptor counts {dropped} messages dropped to these reading clients); first: client {failures.FirstOrDefault().i}: " +
                string.Join("; ", failures.FirstOrDefault().r?.Errors ?? []) + $"\nacceptor log tail:\n{Tail(server.Stderr)}");
            Assert.All(results, r => Assert.Equal(totalLines, r.Lines));
            Assert.Equal(0, dropped);
            Assert.DoesNotContain("not reading", server.Stderr);
        }
        finally
        {
            foreach (var client in clients)
                client.Dispose();
        }
    }

    /// <summary>Line <paramref name="seq"/> of writer <paramref name="writer"/>, newline
    /// included: "w3 17 2931 " then one letter repeated up to the declared length, so a
    /// receiver can tell a torn or spliced line from a whole one. Lengths vary from a few
    /// dozen bytes to exactly PIPE_BUF.</summary>
    private static byte[] Line(int writer, int seq)
    {
        int length = (seq % 10) switch
        {
            0 => PipeBuf,
            1 => 24 + writer,
            _ => 64 + (int)((uint)(writer * 7919 + seq * 104729) % (PipeBuf - 64)),
        };
        var line = new byte[length];
        int header = Encoding.ASCII.GetBytes($"w{writer} {seq} {length} ", line);
        line.AsSpan(header, length - header - 1).Fill(Padding(writer, seq));
        line[^1] = (byte)'\n';
        return line;
    }

    private static byte Padding(int writer, int seq) => (byte)('a' + (writer * 7 + seq) % 26);

    private static long TotalBytes(int linesPerWriter) =>
        Enumerable.Range(0, Writers).Sum(w => Enumerable.Range(0, linesPerWriter).Sum(s => (long)Line(w, s).Length));

    private static void WriteLines(string fifo, int writer, int lines)
    {
        using var stream = new FileStream(fifo, FileMode.Open, FileAccess.Write, FileShare.ReadWrite, bufferSize: 0);
        for (int seq = 0; seq < lines; seq++)
            stream.Write(Line(writer, seq)); // unbuffered: one write(2) per line
    }

    private sealed record Received(int Lines, List<string> Errors);

    /// <summary>Reads until every line and then the end marker arrived, checking each
    /// message as it comes (100 clients × 4 MB are not kept).</summary>
    private static async Task<Received> ReceiveAllAsync(ClientWebSocket client, int linesPerWriter, CancellationToken cancellation)
    {
        var errors = new List<string>();
        int[] next = new int[Writers];
        int lines = 0;
        var buffer = new byte[2 * PipeBuf];
        try
        {
            while (true)
            {
                int filled = 0;
                ValueWebSocketReceiveResult result;
                do
                {
                    if (filled == buffer.Length)
                        Array.Resize(ref buffer, buffer.Length * 2);
                    result = await client.ReceiveAsync(buffer.AsMemory(filled), cancellation);
                    filled += result.Count;
                }
                while (!result.EndOfMessage && result.MessageType != WebSocketMessageType.Close);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    errors.Add($"closed by the server after {lines} lines");
                    break;
                }
                var message = buffer.AsSpan(0, filled);
                if (message.SequenceEqual(Encoding.ASCII.GetBytes(EndMarker)))
                    break;
                if (Check(message, next) is { } error && errors.Count < 5)
                    errors.Add(error);
                lines++;
            }
        }
        catch (OperationCanceledException)
        {
            errors.Add($"timed out after {lines} lines; next expected per writer: {string.Join(",", next)}");
        }
        if (lines == Writers * linesPerWriter && next.Any(n => n != linesPerWriter))
            errors.Add($"next expected per writer at the end: {string.Join(",", next)}");
        return new Received(lines, errors);
    }

    /// <summary>Null if the message is whole and is its writer's next line.</summary>
    private static string? Check(ReadOnlySpan<byte> message, int[] next)
    {
        string head = Encoding.ASCII.GetString(message[..Math.Min(message.Length, 24)]);
        string[] fields = head.Split(' ');
        if (fields.Length < 4 || fields[0].Length < 2 || fields[0][0] != 'w'
            || !int.TryParse(fields[0][1..], out int writer) || writer is < 0 or >= Writers
            || !int.TryParse(fields[1], out int seq) || !int.TryParse(fields[2], out int length))
            return $"not a test line: \"{head}…\" ({message.Length} bytes)";
        // The app-facing message is the line without its newline.
        if (message.Length != length - 1)
            return $"torn: w{writer} {seq} declares {length - 1} bytes, arrived with {message.Length}";
        int header = fields[0].Length + fields[1].Length + fields[2].Length + 3;
        if (message[header..].IndexOfAnyExcept(Padding(writer, seq)) is int bad and >= 0)
            return $"spliced: w{writer} {seq} has a foreign byte at {header + bad}";
        if (seq != next[writer])
            return $"w{writer}: got line {seq}, expected {next[writer]} (lost, repeated or reordered)";
        next[writer] = seq + 1;
        return null;
    }

    private static async Task<List<ClientWebSocket>> ConnectAllAsync(SupervisorProcess server, CancellationToken cancellation)
    {
        var clients = new List<ClientWebSocket>();
        using var gate = new SemaphoreSlim(10);
        var connecting = Enumerable.Range(0, Clients).Select(async _ =>
        {
            await gate.WaitAsync(cancellation);
            try
            {
                return await WsClient.ConnectAsync(server.Url(), cancellation);
            }
            finally
            {
                gate.Release();
            }
        }).ToList();
        try
        {
            clients.AddRange(await Task.WhenAll(connecting));
        }
        catch
        {
            foreach (var done in connecting.Where(t => t.IsCompletedSuccessfully))
                done.Result.Dispose();
            throw;
        }
        return clients;
    }

    private static string Tail(string log) => string.Join('\n', log.Split('\n').TakeLast(20));
}
