# The Campus.IoT platform host (dashboard/Campus.IoT.Dashboard). Used by docker-compose.yml.
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY . .
RUN dotnet publish dashboard/Campus.IoT.Dashboard/Campus.IoT.Dashboard.csproj -c Release -o /app

FROM mcr.microsoft.com/dotnet/aspnet:10.0
WORKDIR /app
COPY --from=build /app .
ENV Urls=http://0.0.0.0:5080 \
    Campus__DataDir=/data
VOLUME /data
EXPOSE 5080
ENTRYPOINT ["dotnet", "Campus.IoT.Dashboard.dll"]
