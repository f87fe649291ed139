package recsys;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.ArrayList;
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
 * NodeManager running MapReduce containers), copies files into HDFS, runs the Hadoop Streaming jobs
 * one after another through {@link StreamJob}, copies results out of HDFS, and stops both.
 *
 * <pre>
 * java -cp CLASSPATH [--add-opens …] recsys.MiniCluster --base DIR --task-opts OPTS
 *     --put LOCAL=HDFS … --jobs FILE --get HDFS=LOCAL …
 * </pre>
 *
 * FILE holds one streaming argument per line, jobs separated by an empty line (the arguments
 * mr/streaming.ts builds for the EMR steps, with hdfs:/// locations). OPTS are the task JVMs'
 * options (Java 17's --add-opens); the containers get this JVM's classpath, as every YARN mini
 * cluster gives them. Lines starting with "recsys-minicluster:" on stderr mark where each job starts
 * and ends, for the caller reading the log. Exit status: 0, 3 when a job failed, 2 on bad usage.
 */
public final class MiniCluster {
  private static final String MARK = "recsys-minicluster: ";

  private MiniCluster() {}

  public static void main(String[] argv) throws Exception {
    String base = null;
    String taskOpts = "";
    String jobsFile = null;
    List<String[]> puts = new ArrayList<>();
    List<String[]> gets = new ArrayList<>();
    for (int i = 0; i + 1 < argv.length; i += 2) {
      String value = argv[i + 1];
      switch (argv[i]) {
        case "--base" -> base = value;
        case "--task-opts" -> taskOpts = value;
        case "--jobs" -> jobsFile = value;
        case "--put" -> puts.add(pair(value));
        case "--get" -> gets.add(pair(value));
        default -> usage("unknown option " + argv[i]);
      }
    }
    if (base == null || jobsFile == null || argv.length % 2 != 0) usage("--base and --jobs needed");
    List<List<String>> jobs = readJobs(jobsFile);
    System.exit(run(base, taskOpts, puts, jobs, gets));
  }

  private static int run(
      String base, String taskOpts, List<String[]> puts, List<List<String>> jobs,
      List<String[]> gets) throws Exception {
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
    conf.set("yarn.app.mapreduce.am.admin-command-opts", taskOpts);
    conf.set("mapreduce.admin.map.child.java.opts", taskOpts);
    conf.set("mapreduce.admin.reduce.child.java.opts", taskOpts);
    // Our tasks are deterministic: an attempt that failed fails again, so fail the job at once.
    conf.setInt("mapreduce.map.maxattempts", 1);
    conf.setInt("mapreduce.reduce.maxattempts", 1);
    conf.setInt("mapreduce.am.max-attempts", 1);
    conf.setInt("yarn.resourcemanager.am.max-attempts", 1);
    conf.setBoolean("mapreduce.jobhistory.minicluster.enabled", false);

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
          + cluster.get("yarn.resourcemanager.address") + " logs="
          + cluster.get("yarn.nodemanager.log-dirs"));
      for (String[] p : puts) {
        fs.mkdirs(new Path(p[1]).getParent());
        fs.copyFromLocalFile(false, true, new Path(p[0]), new Path(p[1]));
      }
      for (int j = 0; j < jobs.size(); j++) {
        System.err.println(MARK + "job-start " + j);
        int rc = ToolRunner.run(new JobConf(cluster), new StreamJob(), jobs.get(j).toArray(new String[0]));
        System.err.println(MARK + "job-end " + j + " " + rc);
        if (rc != 0) return 3;
      }
      for (String[] g : gets) {
        fs.copyToLocalFile(false, new Path(g[0]), new Path(g[1]), true);
      }
      return 0;
    } finally {
      if (yarn != null) yarn.stop();
      dfs.shutdown();
      System.err.println(MARK + "down");
    }
  }

  private static String[] pair(String value) {
    int eq = value.indexOf('=');
    if (eq <= 0) usage("expected FROM=TO, got " + value);
    return new String[] {value.substring(0, eq), value.substring(eq + 1)};
  }

  private static List<List<String>> readJobs(String file) throws IOException {
    List<List<String>> jobs = new ArrayList<>();
    List<String> job = new ArrayList<>();
    for (String line : Files.readAllLines(Paths.get(file), StandardCharsets.UTF_8)) {
      if (line.isEmpty()) {
        if (!job.isEmpty()) jobs.add(job);
        job = new ArrayList<>();
      } else {
        job.add(line);
      }
    }
    if (!job.isEmpty()) jobs.add(job);
    return jobs;
  }

  private static void usage(String message) {
    System.err.println("recsys.MiniCluster: " + message);
    System.exit(2);
  }
}
