using Campus.IoT.Cli;

return await CampusCli.RunAsync(args, Console.OpenStandardInput(), Console.Out, Console.Error, TimeProvider.System, CancellationToken.None);
