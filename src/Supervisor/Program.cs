using Serilog;
Log.Logger = new LoggerConfiguration().WriteTo.Console(standardErrorFromLevel: Serilog.Events.LogEventLevel.Verbose).CreateLogger();
Log.Information("hello {Pid}", Environment.ProcessId);
