package recsys;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.apache.hadoop.mapred.JobConf;
import org.apache.hadoop.mapreduce.v2.MiniMRYarnCluster;
import org.apache.hadoop.streaming.StreamJob;
import org.apache.hadoop.util.ToolRunner;

/**
 * The one-machine cluster of {@code recsys mr --runner hadoop-yarn} (mr/hadoop_runner.ts): starts a
 * MiniDFSCluster (one NameNode, one DataNode) and a MiniMRYarnCluster (a ResourceManager and one
 * NodeManager running MapReduce containers), then serves commands read from stdin, one per line,
 * fields separated by TAB, until "quit" or the end of stdin, and stops both:
 *
 * <pre>
 * java -cp CLASSPATH [--add-opens …] recsys.MiniCluster --base DIR --task-opts OPTS
 *   put LOCAL HDFS   copy a local file into HDFS
 *   get HDFS LOCAL   copy an HDFS directory out
 *   rm HDFS          delete recursively
 *   job FILE         run one Hadoop Streaming job; FILE holds its arguments, one per line
 * </pre>
 *
 * Job arguments are those mr/streaming.ts builds for the EMR steps, with hdfs:/// locations. OPTS
 * are the task JVMs' options (Java 17's --add-opens); the containers get this JVM's classpath, as
 * YARN mini clusters give them. On stderr, with Hadoop's log, "recsys-minicluster: up" says the
 * cluster is ready and "recsys-minicluster: done RC" ends each command (RC 0: success). A client
 * (mr/hadoop_runner.ts) can run several neighbor runs on one cluster.
 */
public final class MiniCluster {
  private static final String MARK = "recsys-minicluster: ";

  private MiniCluster() {}

  public static void main(String[] argv) throws Exception {
    String base = null;
    String taskOpts = "";
    for (int i = 0; i + 1 < argv.length; i += 2) {
      switch (argv[i]) {
        case "--base" -> base = argv[i + 1];
        case "--task-opts" -> taskOpts = argv[i + 1];
        default -> usage("unknown option " + argv[i]);
      }
    }
    if (base == null || argv.length % 2 != 0) usage("--base DIR [--task-opts OPTS]");
    Configuration conf = configuration(base, taskOpts);
    MiniDFSCluster dfs = new MiniDFSCluster.Builder(conf).numDataNodes(1).format(true).build();
    MiniMRYarnCluster yarn = null;
    try {
      dfs.waitActive();
      FileSystem fs = dfs.getFileSystem();
      conf.set("fs.defaultFS", fs.getUri().toString());
      System.setProperty("test.build.data", base + "/yarn");
      yarn = new MiniMRYarnCluster("recsys", 1);
      yarn.init(conf);
      yarn.start();
      Configuration cluster = yarn.getConfig();
      System.err.println(MARK + "up hdfs=" + fs.getUri() + " rm="
          + cluster.get("yarn.resourcemanager.address"));
      BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
      for (String line; (line = in.readLine()) != null && !line.equals("quit"); ) {
        int rc;
        try {
          rc = serve(line.split("\t"), fs, cluster);
        } catch (Exception e) {
          e.printStackTrace();
          rc = 1;
        }
        System.err.println(MARK + "done " + rc);
      }
    } finally {
      stop(yarn, dfs);
    }
    System.exit(0);
  }

  private static int serve(String[] cmd, FileSystem fs, Configuration cluster) throws Exception {
    switch (cmd[0]) {
      case "put" -> {
        fs.mkdirs(new Path(cmd[2]).getParent());
        fs.copyFromLocalFile(false, true, new Path(cmd[1]), new Path(cmd[2]));
        return 0;
      }
      case "get" -> {
        fs.copyToLocalFile(false, new Path(cmd[1]), new Path(cmd[2]), true);
        return 0;
      }
      case "rm" -> {
        fs.delete(new Path(cmd[1]), true);
        return 0;
      }
      case "job" -> {
        List<String> args = Files.readAllLines(Paths.get(cmd[1]), StandardCharsets.UTF_8);
        args.removeIf(String::isEmpty);
        return ToolRunner.run(new JobConf(cluster), new StreamJob(), args.toArray(new String[0]));
      }
      default -> {
        System.err.println("recsys.MiniCluster: unknown command " + cmd[0]);
        return 2;
      }
    }
  }

  private static Configuration configuration(String base, String taskOpts) {
    Configuration conf = new Configuration();
    conf.set("hadoop.tmp.dir", base + "/tmp");
    conf.set(MiniDFSCluster.HDFS_MINIDFS_BASEDIR, base + "/dfs");
    conf.setInt("dfs.replication", 1);
    // One NodeManager on a small machine: containers sized to fit a few at once.
    conf.setInt("yarn.nodemanager.resource.memory-mb", 6144);
    conf.setInt("yarn.nodemanager.resource.cpu-vcores", 4);
    conf.setInt("yarn.scheduler.minimum-allocation-mb", 256);
    conf.setBoolean("yarn.nodemanager.vmem-check-enabled", false);
    conf.setBoolean("yarn.nodemanager.pmem-check-enabled", false);
    conf.set("yarn.nodemanager.disk-health-checker.max-disk-utilization-per-disk-percentage", "99");
    conf.setInt("yarn.app.mapreduce.am.resource.mb", 768);
    conf.set("yarn.app.mapreduce.am.command-opts", "-Xmx512m " + taskOpts);
    conf.setInt("mapreduce.map.memory.mb", 512);
    conf.setInt("mapreduce.reduce.memory.mb", 512);
    conf.set("mapreduce.map.java.opts", "-Xmx384m " + taskOpts);
    conf.set("mapreduce.reduce.java.opts", "-Xmx384m " + taskOpts);
    // Our tasks are deterministic: an attempt that failed fails again, so fail the job at once.
    conf.setInt("mapreduce.map.maxattempts", 1);
    conf.setInt("mapreduce.reduce.maxattempts", 1);
    conf.setInt("mapreduce.am.max-attempts", 1);
    conf.setInt("yarn.resourcemanager.am.max-attempts", 1);
    // One machine: a speculative copy of a slow task only competes with it for the same cores.
    conf.setBoolean("mapreduce.map.speculative", false);
    conf.setBoolean("mapreduce.reduce.speculative", false);
    conf.setBoolean("mapreduce.jobhistory.minicluster.enabled", false);
    return conf;
  }

  /** Stops both clusters, giving up after 20 s (the JVM exits anyway; everything is in --base). */
  private static void stop(MiniMRYarnCluster yarn, MiniDFSCluster dfs) throws InterruptedException {
    Thread t = new Thread(() -> {
      if (yarn != null) yarn.stop();
      dfs.shutdown();
    });
    t.setDaemon(true);
    t.start();
    t.join(20_000);
    System.err.println(MARK + "down");
  }

  private static void usage(String message) {
    System.err.println("recsys.MiniCluster: " + message);
    System.exit(2);
  }
}
