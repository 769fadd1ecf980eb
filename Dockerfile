# The Campus.IoT images used by docker-compose.yml:
#   default (last) stage: the platform host (dashboard/Campus.IoT.Dashboard), the rules/dashboard node;
#   target `ingest`: the stand-alone ingest process (ingest/Campus.IoT.Ingest.Host, campus-ingest).
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY . .
RUN dotnet publish dashboard/Campus.IoT.Dashboard/Campus.IoT.Dashboard.csproj -c Release -o /app \
 && dotnet publish ingest/Campus.IoT.Ingest.Host/Campus.IoT.Ingest.Host.csproj -c Release -o /ingest

FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS ingest
WORKDIR /app
COPY --from=build /ingest .
ENV Urls=http://0.0.0.0:5081 \
    Campus__DataDir=/data
VOLUME /data
EXPOSE 5081
ENTRYPOINT ["dotnet", "campus-ingest.dll"]

FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS platform
WORKDIR /app
COPY --from=build /app .
ENV Urls=http://0.0.0.0:5080 \
    Campus__DataDir=/data
VOLUME /data
EXPOSE 5080
ENTRYPOINT ["dotnet", "Campus.IoT.Dashboard.dll"]
