// The help text: one place, printed by `eda --help` and after every usage error.
export const helpText = `
  Usage
    $ eda [flags]                      open the live dashboard
    $ eda api-server [flags]           the HTTP producer
    $ eda consumer --topic X [flags]   print events on topic X
    $ eda consumer -d --master         the deferred master node
    $ eda consumer -d [flags]          a deferred worker
    $ eda deferred <list|retry|purge>  look at and act on deferred events
    $ eda events <topic> [flags]       a topic's retained events, newest first, filtered
    $ eda trace <correlation-id>       one process across topics, as its causation tree
    $ eda replay <topic> <entry-id>    republish an event as a new one caused by it
    $ eda groups <topic>               consumer groups, consumers, pending entries
    $ eda lab <orders|cqrs|deferred|portal|mesh>   run a concept lab headless
    $ eda portal register|check <topic> <schema.json>  declare a topic's schema
    $ eda portal scan|watch|audit|export|import        the discovered catalog, AsyncAPI
    $ eda mesh --broker … --link …     route events between several Redis brokers
    $ eda mesh status                  each mesh link's state, from any broker
    $ eda migrate [--apply]            move keys of the layout before hash tags

  Common flags
    --redis-url URL      Redis to use (env REDIS_URL); default redis://127.0.0.1:6379.
                         When nothing answers there and redis-server is on the PATH,
                         a private one is started for this process. /N picks
                         database N; one Redis does not have stops the start.
    --cluster            Redis Cluster (env REDIS_CLUSTER=1): --redis-url is one or
                         more seed nodes, comma-separated (redis://a:7000,redis://b:7001),
                         same forms; database 0 only; never starts a private server
    --json               one JSON object a line instead of text (headless commands)
    --help, --version
    Each command takes only the flags listed under it (and these); another is
    a usage error naming the command.

  eda api-server
    --port N             HTTP port (env PORT); default 3000
    --host H             address to bind; default 127.0.0.1 (0.0.0.0 to widen)
    --max-body SIZE      largest accepted body (1 byte or more); default 1mb
    --retain N           events kept per topic stream; default 10000
    --token T            callers must send Authorization: Bearer T (env EDA_TOKEN);
                         all routes but GET / and GET /healthz. Visible in ps: prefer
    --token-file PATH    the token read from a file (its trailing newline dropped)
    --insecure           allow a --host beyond loopback with no token (a warning
                         says so); without either, such a --host refuses to start
    --wait-replicas N    answer 200 only once N replicas hold the event (WAIT on the
                         master that owns the topic, 1 s); else 503 saying it is on
                         the master only. Default 0 (asynchronous replication)
    --no-portal          run no portal watcher in this producer (another process
                         on the same Redis may; one writes the catalog at a time)

  eda consumer --topic X (-t X)
    Live pub/sub as in the article; X may be a pattern such as orders.*
    --group G (-g G)     consume the topic's durable stream in consumer group G
                         (competing consumers, acknowledged after handling)
    --name N             this member's name in the group; default host-pid
    --from-start         replay the retained history first, then follow
    --claim-idle DUR     take over entries a dead member held this long; default 30s

  eda consumer -d (--deffered-exec, --deferred-exec) [--master, -m]
    -m                   the master node: moves due events to message:queue and
                         returns expired leases; it takes none of the worker flags
    --interval DUR       worker: one event per DUR; default 10s, 0 for none
    --concurrency N      worker: events handled in parallel (from 2, over two
                         connections); default 1
    --lease DUR          worker: lease per event, renewed while handling; default 30s
    --max-attempts N     worker: attempts before the dead-letter list; default 5
    --backoff DUR        worker: first retry delay, doubling with jitter; default 1s
    --work-time DUR      demo handler: each event takes this long; default 0
    --fail-rate P        demo handler: share of attempts that throw, 0..1; default 0
    --queue NAME         master or worker of a named queue (list eda:{NAME}:queue, its
                         own hash tag, so queues spread over a cluster's masters);
                         default message:queue. POST /deferred-exec?queue=NAME feeds it

  eda deferred
    list                 each stage with its events (--json for JSON)
    retry <id>           move a dead or scheduled event back to the queue now
    retry --dead         retry every dead event
    purge --dead         delete every dead event
    --queue NAME         a named queue's events instead of message:queue's

  eda events <topic>
    The topic's retained events, newest first, one line each: stored time, entry
    id, envelope id, source, correlation id, payload (sanitised).
    --limit N            events shown (1-100000); default 20
    --since TIME         only events stored since an ISO time or a duration ago (10m)
    --grep TEXT          text in the payload or the ids (case-insensitive)
    --where EXPR         field=value, field!=value, field>N, field<N (>= <=); a field is
                         a payload path (customer.name, items[0].sku) or an attribute
                         (id, source, type, correlationid); text without a sign is --grep
    --json               one JSON envelope a line (with topic and entry)
    A filter reads the retained stream newest first, 1000 entries a step.

  eda trace <correlation-id> [--json]
    Every retained event in every topic with that correlation id, oldest first,
    drawn under its cause (causationid → id) with the time since it.

  eda replay <topic> <entry-id> [--to TOPIC]
    Publishes the event again as a new event (new id and time, causation id the
    original's) on its topic or TOPIC, through the producer's checks (a declared
    schema refuses it in enforce mode). --json prints the new event's ids.
    --to TOPIC           publish to this topic instead

  eda groups <topic> [--json]
    Each consumer group: consumers, lag, last delivered id, pending entries with
    idle time and delivery count (the oldest 50).
    Exit codes of events, trace, replay, groups: 0 found, 3 nothing found, 2 usage, 1 error.

  eda (the dashboard)
    --port N             embedded producer's port (env PORT); default 3000
    --host H, --max-body SIZE, --retain N, --token T, --token-file PATH,
    --insecure           as for eda api-server
    --workers N          in-process deferred workers; default 1
    --interval DUR       workers' poll interval; default 10s (the worker flags
                         --concurrency, --lease, --max-attempts, --backoff,
                         --work-time and --fail-rate apply too)
    --topic X (-t X)     subscribe a live consumer to X at start (repeatable)
    --max-fps N          most frames a second; default 15
    --no-color           no colours (also NO_COLOR)
    --plain              print log lines instead of the screen (also when not a TTY or CI)
    --mesh               the Mesh view (M): brokers, links, backlog, interest, as eda
                         mesh records them on this Redis; --broker, --link or --config
                         (as eda mesh takes them) also ping each broker of the topology
    Keys: ? lists them all; n publishes, p pauses the master, L opens the concept labs,
                         C the event catalog (Enter: a topic's schema tree and last diff),
                         Enter on a topic its events (/ filter, t trace, r republish,
                         x export, c groups), Enter on Deferred its dead and scheduled
                         events (R retry, A retry all dead, X delete), M the event mesh

  eda mesh --broker NAME=URL … --link A-B … (or --config mesh.json)
    Every bridge of the mesh in this process: per link, one each way. Each event
    goes, by the shortest path, once to every broker with interest in its topic
    (a consumer group, a subscriber, an eda consumer's pattern); stream entries
    only: pub/sub-only traffic is not bridged. README "Event mesh" tells how.
    --broker NAME=URL    a broker (repeatable); names: letters, digits and _
    --link A-B           a link between two brokers, both ways (repeatable)
    --config FILE        {"brokers": {"east": "redis://…"}, "links": ["east-west"]}
    --max-backlog N      events a stream keeps for a link that is down; past it the
                         oldest go and the link counts them as dropped; default 1000000
    --retain N           events each stream the mesh writes to keeps (about), as
                         api-server's --retain; default 10000
    --hop-limit N        most brokers an event crosses; default 8
    --claim-idle DUR     take over events a dead mesh process held this long; default 5s
    --json               one JSON object a line

  eda mesh status [--json]
    Each link's state (up/down, for how long), events/s, backlog, latency, idle
    time and counts, and where each topic's interest is; --redis-url any broker.
    Two mesh processes on one topology: each link's counts are summed over both,
    and each process's part is listed under the link.

  eda migrate
    Keys written before the hash tags (eda:stream:<topic>, eda:deferred:…,
    eda:actor:…) to the tagged layout (eda:{<topic>}:stream, eda:{message:queue}:…).
    A dry run lists each move; --apply does them, with progress; safe to re-run.
    Refuses while eda actors are alive. Single node only.
    --apply              do the moves (default: only list them)

  eda lab <name>
    orders               choreography: orders, payments, inventory, shipping, notifications
    cqrs                 eventual consistency and CQRS: commands, projected read model, replicas
    deferred             deferred execution: a burst of delayed tasks, 1 worker @10s vs 4 @0
    portal               the event portal: a schema that evolves, its versions and breaks, enforced
    mesh                 the event mesh: three private redis-servers in a triangle; cut a link,
                         stop a broker, remove a subscriber: routes, backlogs, exact totals
    GET / on the lab's port lists its routes and request bodies, with curl lines
    --rate N             orders, commands, portal or mesh events a second (fractions allowed); default 1 (mesh 10)
    --fail-rate P        orders: share of payment/inventory/shipping steps that fail, 0..1;
                         default 0.1. Per service: payments=0.3,shipping=0; with a bare
                         share for the services not named: 0.1,inventory=0.5
    --projection-delay DUR  cqrs: each event reaches the read model this late; default 0
    --replicas N         cqrs: query-side replicas in one consumer group (0-8); default 2
    --interval DUR       deferred: the slow worker's interval; default 10s
    --workers N          deferred: workers at full speed; default 4
    --burst N            deferred: tasks per burst (1-1000); default 12
    --port N, --host H, --token T, --token-file PATH, --insecure, --json
    Labs view keys (in the dashboard, L; ? lists them all): orders: f cycles every
    failure rate, p i s one service's, O P I S N pause one; deferred: b posts a burst;
    portal: v next shape, r registers the inferred shape and enforces it; mesh: c cuts
    or heals east-west, s stops or resumes edge, g removes or adds the group on edge

  eda portal
    register <topic> <schema.json>  declare the topic's JSON Schema (2020-12); every
                         producer on this Redis enforces it within a second: an event
                         that fails it is answered 422 and not stored
    check <topic> <schema.json>     the same checks, nothing registered
    --compat C           backward (default), forward, full or none: a new version is
                         refused when it breaks that direction against the last one
    --mode M             enforce (default) or warn (stored, counted and flagged)
    --check-retained N   also run the schema over the topic's last N retained events
                         (at most 100000) and name those it would refuse; register
                         then registers nothing when any fails
    --json               one JSON record a line; --redis-url as for every command
    Exit codes: 0 ok, 1 refused or Redis failed, 2 usage.
    Over HTTP: PUT /schemas/<topic>?compat=&mode= (body: the schema), GET /schemas/<topic>
                         (its versions, and how many events warn mode stored though they failed)
    scan                 build or refresh the inferred catalog from what the streams retain
    watch                run the portal watcher alone (the dashboard and api-server run it)
    audit                topics seen but not declared, declared but silent, groups on topics
                         with no schema, shapes diverging from the declared; exit 1 if any
    export               the AsyncAPI 3.0.0 document of what ran (also GET /asyncapi.json
                         and /asyncapi.yaml)
    --format F           export: yaml (default) or json
    --out FILE           export: write the document to FILE
    import <asyncapi.yaml>  declare its channels' payload schemas (--compat, --mode apply)

  Durations: 500ms, 10s, 2m (a bare number is seconds).

  Examples
    $ eda api-server
    $ eda consumer --topic orderCreated
    $ curl -X POST -H "Content-Type: application/json" \\
        -d '{"order_id": 123}' http://localhost:3000/topics/orderCreated
`;
