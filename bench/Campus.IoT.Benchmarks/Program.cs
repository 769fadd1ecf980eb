using BenchmarkDotNet.Running;
using Campus.IoT.Benchmarks;

// dotnet run -c Release --project bench/Campus.IoT.Benchmarks -- --filter '*'      BenchmarkDotNet: decoding, SQLite, alarm engine
// dotnet run -c Release --project bench/Campus.IoT.Benchmarks -- latency [--count N] [--warmup N] [--gap-ms N] [--host-logs] [--join SITE|*]
//          [--background-rps R [--background-batch 50] [--background-publishers 2] [--background-gateways G]
//           [--background-warmup-s 5] [--background-process]] [--breakdown]
//                                                                                   end-to-end alarm latency vs MQTT round trip,
//                                                                                   optionally under R readings/s of telemetry
// dotnet run -c Release --project bench/Campus.IoT.Benchmarks -- ingest [--messages N] [--store sqlite|victoria]
//                                                                                   Mosquitto -> ingest -> store vs the raw broker rate
// dotnet run -c Release --project bench/Campus.IoT.Benchmarks -- state [--minutes N]
//                                                                                   bytes of alarm-engine state per device (100,000 devices)
// (`load` is the background publisher's child-process mode, started by `latency --background-process`.)
// Every figure is a ratio against a baseline measured in the same run; results and commands are in docs/benchmarks.md.
if (args.Length > 0 && args[0] == "latency")
{
    return await LatencyHarness.RunAsync(args[1..]);
}

if (args.Length > 0 && args[0] == "load")
{
    return await ChildProcessLoad.RunChildAsync(args[1..]);
}

if (args.Length > 0 && args[0] == "ingest")
{
    return await IngestHarness.RunAsync(args[1..]);
}

if (args.Length > 0 && args[0] == "state")
{
    return EngineScaleBenchmarks.MeasureState(args[1..]);
}

BenchmarkSwitcher.FromAssembly(typeof(LatencyHarness).Assembly).Run(args);
return 0;
