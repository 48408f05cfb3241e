-- `make bench`'s cold targets: walk a file of addresses, each requested at most once.
--
--   wrk -t2 -c32 -d10s --latency -s tests/bench/walk.lua http://127.0.0.1:PORT \
--       -- FILE OFFSET COUNT THREADS
--
-- FILE holds one path per line (written by tests/bench/run.py); lines are numbered from 0.
-- THREADS is wrk's -t (a script cannot read it: setup() numbers the threads one by one, and
-- each thread's init() runs before the next thread exists). The lines [OFFSET, OFFSET + COUNT)
-- are shared out between the threads in equal, consecutive shares (COUNT // THREADS each);
-- each thread requests the addresses of its share in order, once each, and when its share is
-- used up it stops, as soon as every address it sent is answered (before the duration, if the
-- server is fast enough; wrk still reports its requests/s over the whole duration). At the end one line
-- is printed after wrk's own report, read by run.py:
--
--   walk: requested N of M addresses; K of T threads ran out (the last after S s); H cache hits
--
-- (H: answers with `X-Page-Cache: hit`, which a walk of distinct addresses should never get.)
--
-- Works with wrk 4.1 (Debian): setup(), init(), request(), response(), done(),
-- thread:get/set and wrk.thread:stop().

local threads = {}

function setup(thread)
   table.insert(threads, thread)
   thread:set("id", #threads - 1)
end

local paths = nil -- this thread's share (nil in wrk's main Lua state)
local next_index = 1
local issued = 0
local share = 0
-- wrk 4.1 calls request() once in thread 0's state to check the script's request, before
-- that thread starts; nothing is sent. That call must not use up an address.
local checked = false
local hits = 0 -- answers from the page cache (`X-Page-Cache: hit`): should stay 0
local started = nil

local answered = 0
local ran_out = false

local function uptime()
   local file = io.open("/proc/uptime")
   if not file then
      return nil
   end
   local seconds = file:read("*n")
   file:close()
   return seconds
end

function stop_when_answered()
   if answered < issued then
      return
   end
   local now = uptime()
   if now and started then
      wrk.thread:set("ran_out_after", now - started)
   end
   wrk.thread:stop()
end

function init(args)
   local file, offset, count = args[1], tonumber(args[2]), tonumber(args[3])
   local thread_count = tonumber(args[4])
   if not (file and offset and count and thread_count) then
      error("walk.lua: arguments are FILE OFFSET COUNT THREADS")
   end
   share = math.floor(count / thread_count)
   local first = offset + id * share -- 0-based line number of this thread's first address
   paths = {}
   local number = 0
   for line in io.lines(file) do
      if number >= first + share then
         break
      end
      if number >= first and line ~= "" then
         table.insert(paths, line)
      end
      number = number + 1
   end
   share = #paths
   wrk.thread:set("share", share)
   wrk.thread:set("issued", 0)
   wrk.thread:set("ran_out", 0)
   wrk.thread:set("hits", 0)
   started = uptime()
end

function request()
   if paths == nil then
      return wrk.format() -- never sent: wrk checks the script's request in its main state
   end
   if id == 0 and not checked then
      checked = true
      return wrk.format(nil, paths[1] or "/")
   end
   local path = paths[next_index]
   if path == nil then
      -- Share used up: this connection sends nothing more (an empty request writes nothing),
      -- and the thread stops once every address it sent is answered.
      ran_out = true
      wrk.thread:set("ran_out", 1)
      stop_when_answered()
      return ""
   end
   next_index = next_index + 1
   issued = issued + 1
   wrk.thread:set("issued", issued)
   return wrk.format(nil, path)
end

function response(status, headers, body)
   answered = answered + 1
   if headers["X-Page-Cache"] == "hit" then
      hits = hits + 1
      wrk.thread:set("hits", hits)
   end
   if ran_out then
      stop_when_answered()
   end
end

function done(summary, latency, requests)
   local issued_total, share_total, ran_out, hits_total, last = 0, 0, 0, 0, 0
   for _, thread in ipairs(threads) do
      issued_total = issued_total + (thread:get("issued") or 0)
      share_total = share_total + (thread:get("share") or 0)
      ran_out = ran_out + (thread:get("ran_out") or 0)
      hits_total = hits_total + (thread:get("hits") or 0)
      last = math.max(last, thread:get("ran_out_after") or 0)
   end
   io.write(
      string.format(
         "walk: requested %d of %d addresses; %d of %d threads ran out (the last after %.1f s); %d cache hits\n",
         issued_total,
         share_total,
         ran_out,
         #threads,
         last,
         hits_total
      )
   )
end
