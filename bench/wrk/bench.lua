-- wrk script for the Broadsheet benchmarks (bench/run.py sets the environment).
--   BENCH_MODE=get   plain GETs of the URL given to wrk
--   BENCH_MODE=form  Broadsheet's comment form: POST BENCH_PATH with the CSRF token BENCH_CSRF
--   BENCH_MODE=json  a JSON comment: BENCH_JSON_KIND=isso (Isso /new) or api (Broadsheet API)
-- Every posted comment has its own text and email, so none is a double submit.
-- done() prints one "BENCH_JSON {...}" line with requests, latency percentiles and statuses.

local mode = os.getenv("BENCH_MODE") or "get"
local post_path = os.getenv("BENCH_PATH") or "/"
local csrf = os.getenv("BENCH_CSRF") or ""
local json_kind = os.getenv("BENCH_JSON_KIND") or "api"
local parents = {}
for id in string.gmatch(os.getenv("BENCH_PARENTS") or "", "%d+") do
  parents[#parents + 1] = id
end

local threads = {}
local thread_id = 0
local counter = 0
statuses = {}

local openings = {
  "I was at the ground on Saturday and", "Having read the whole piece,", "My father worked there for",
  "The council said the same thing in", "Fair reporting, although", "As a nurse on the ward,",
  "Nobody on our street was asked, but", "The figures in the third paragraph suggest",
}
local middles = {
  "the second half was far better than the first", "the consultation closed before anyone noticed",
  "the bus timetable changed without any warning", "the new plan will cost more than the old one",
  "the referee missed at least two clear fouls", "the school governors deserve some credit",
  "the flooding last winter was worse than reported", "the rent rises are pushing families out",
}
local endings = {
  "and I hope the paper follows it up.", "so I would like to see the full minutes.",
  "which matches what my neighbours told me.", "but the article is fair to both sides.",
  "and the photographs say more than words.", "so thank you for covering it properly.",
}

function setup(thread)
  thread_id = thread_id + 1
  thread:set("tid", thread_id)
  threads[#threads + 1] = thread
end

local function pick(list)
  return list[math.random(#list)]
end

local function urlencode(s)
  s = string.gsub(s, "([^%w%-%._~ ])", function(c) return string.format("%%%02X", string.byte(c)) end)
  return (string.gsub(s, " ", "+"))
end

local function jsonescape(s)
  return (string.gsub(s, '[%c"\\]', function(c) return string.format("\\u%04x", string.byte(c)) end))
end

function init(args)
  math.randomseed(os.time() + (tid or 0) * 7919)
end

local function next_comment()
  counter = counter + 1
  local n = (tid or 0) * 1000000 + counter
  local text = pick(openings) .. " " .. pick(middles) .. " " .. pick(endings)
    .. " I have lived here " .. (n % 97 + 2) .. " years (note " .. n .. ")."
  local name = "Reader " .. n
  local email = "reader" .. n .. "@example.com"
  return name, email, text
end

function request()
  if mode == "form" then
    local name, email, text = next_comment()
    local parent = ""
    if #parents > 0 and math.random(3) == 1 then
      parent = pick(parents)
    end
    local body = "csrfmiddlewaretoken=" .. csrf .. "&name=" .. urlencode(name)
      .. "&email=" .. urlencode(email) .. "&text=" .. urlencode(text) .. "&parent=" .. parent
    return wrk.format("POST", post_path, {
      ["Content-Type"] = "application/x-www-form-urlencoded",
      ["Cookie"] = "csrftoken=" .. csrf,
    }, body)
  elseif mode == "json" then
    local name, email, text = next_comment()
    local body
    if json_kind == "isso" then
      body = '{"author":"' .. jsonescape(name) .. '","email":"' .. jsonescape(email)
        .. '","text":"' .. jsonescape(text) .. '"}'
    else
      body = '{"name":"' .. jsonescape(name) .. '","email":"' .. jsonescape(email)
        .. '","text":"' .. jsonescape(text) .. '"}'
    end
    return wrk.format("POST", post_path, {["Content-Type"] = "application/json"}, body)
  end
  return wrk.format("GET")
end

function response(status, headers, body)
  local key = tostring(status)
  statuses[key] = (statuses[key] or 0) + 1
end

function done(summary, latency, requests)
  local merged = {}
  for _, thread in ipairs(threads) do
    local counts = thread:get("statuses")
    if counts then
      for status, count in pairs(counts) do
        merged[status] = (merged[status] or 0) + count
      end
    end
  end
  local parts = {}
  for status, count in pairs(merged) do
    parts[#parts + 1] = '"' .. status .. '":' .. count
  end
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests":%d,"duration_us":%d,"bytes":%d,"p50_us":%d,"p90_us":%d,'
      .. '"p99_us":%d,"max_us":%d,"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,'
      .. '"timeout":%d},"statuses":{%s}}\n',
    summary.requests, summary.duration, summary.bytes, latency:percentile(50),
    latency:percentile(90), latency:percentile(99), latency.max, e.connect, e.read, e.write,
    e.status, e.timeout, table.concat(parts, ",")))
end
