using Campus.IoT.Dashboard;

var app = CampusHost.Create(args);
await app.RunAsync();
