import java.util.Collection;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.common.Node;

/**
 * Readiness probe used by kafka.sh: exits 0 once a broker at args[0] answers a real metadata
 * (DescribeCluster) request and lists at least one node. An open TCP port is not enough: the
 * socket is bound well before the broker has caught up with the KRaft metadata log.
 *
 * Usage: BrokerReady <bootstrap> <timeoutSeconds> [pidToWatch]
 * Exit codes: 0 ready, 1 timed out, 2 the watched process died first.
 */
public final class BrokerReady {
  public static void main(String[] args) throws Exception {
    String bootstrap = args[0];
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(Long.parseLong(args[1]));
    Long pid = args.length > 2 ? Long.valueOf(args[2]) : null;
    Map<String, Object> config = Map.of(
        AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
        AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 2000,
        AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 3000,
        AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 250);
    try (Admin admin = Admin.create(config)) {
      while (System.nanoTime() < deadline) {
        if (pid != null && !ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
          System.exit(2);
        }
        try {
          var cluster = admin.describeCluster(new DescribeClusterOptions().timeoutMs(1500));
          Collection<Node> nodes = cluster.nodes().get();
          if (!nodes.isEmpty()) {
            System.out.println("cluster " + cluster.clusterId().get() + ", " + nodes.size() + " node(s)");
            System.exit(0);
          }
        } catch (Exception notYet) {
          Thread.sleep(250); // broker still starting: poll again until the deadline
        }
      }
    }
    System.exit(1);
  }
}
