package jslub.replay;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Linux ftrace {@code kmem} events as trace_pipe (or the trace file) prints them, following the
 * TP_printk formats of include/trace/events/kmem.h:
 *
 * <pre>
 *   TASK-PID [CPU] FLAGS TIMESTAMP: kmalloc: call_site=SYM ptr=P bytes_req=N bytes_alloc=N gfp_flags=F node=N accounted=B
 *   TASK-PID [CPU] FLAGS TIMESTAMP: kmem_cache_alloc: call_site=SYM ptr=P bytes_req=N bytes_alloc=N gfp_flags=F node=N accounted=B
 *   TASK-PID [CPU] FLAGS TIMESTAMP: kfree: call_site=SYM ptr=P
 *   TASK-PID [CPU] FLAGS TIMESTAMP: kmem_cache_free: call_site=SYM ptr=P name=NAME
 * </pre>
 *
 * Fields are read by name, so older kernels (no node/accounted, kmalloc_node events) parse too;
 * {@code name=} on kmem_cache_alloc is used when present. Pointers are hex with or without 0x
 * (%p prints hashed values without it). kfree of NULL or ZERO_SIZE_PTR is dropped; other event
 * kinds and '#' header lines are skipped.
 */
final class FtraceParser {
  private final String file;

  FtraceParser(String file) {
    this.file = file;
  }

  void parse(String raw, long line, List<TraceEvent> out) {
    String s = raw.strip();
    if (s.isEmpty() || s.startsWith("#")) {
      return;
    }
    int colon = -1;
    String event = null;
    for (String e : new String[] {"kmalloc", "kmalloc_node", "kmem_cache_alloc",
        "kmem_cache_alloc_node", "kfree", "kmem_cache_free"}) {
      int at = s.indexOf(" " + e + ": ");
      if (at >= 0) {
        event = e;
        colon = at + e.length() + 3;
        break;
      }
    }
    if (event == null) {
      return; // another event (mm_page_alloc, …): not ours
    }
    Map<String, String> f = new HashMap<>();
    for (String kv : s.substring(colon).split("\\s+")) {
      int eq = kv.indexOf('=');
      if (eq > 0) {
        f.put(kv.substring(0, eq), kv.substring(eq + 1));
      }
    }
    try {
      long ptr = Hex.hex(req(f, "ptr", raw, line));
      String name = f.getOrDefault("name", "");
      if (event.startsWith("kfree") || event.equals("kmem_cache_free")) {
        if (ptr != 0 && ptr != 16) {
          out.add(TraceEvent.free(ptr, event.equals("kfree") ? "" : name, line, s));
        }
        return;
      }
      long req = Long.parseLong(req(f, "bytes_req", raw, line));
      long alloc = Long.parseLong(req(f, "bytes_alloc", raw, line));
      if (ptr != 0) {
        String cache = event.startsWith("kmem_cache") ? (name.isEmpty() ? "cache-" + alloc : name)
            : "";
        out.add(TraceEvent.alloc(ptr, req, alloc, 0, cache, line, s));
      }
    } catch (NumberFormatException e) {
      throw new TraceFormatException(file, line, raw, "malformed number in kmem event");
    }
  }

  private String req(Map<String, String> f, String key, String raw, long line) {
    String v = f.get(key);
    if (v == null) {
      throw new TraceFormatException(file, line, raw, "kmem event without " + key + "=");
    }
    return v;
  }
}
