-- benchgen's Lua workload: an interpreter's typical work (table and string
-- operations, closures, sorting, integer arithmetic) with an exact answer.
-- Only integer math and string formatting of integers, so the checksum is the
-- same on every host and the runner can compare it with the native run.
-- usage: lua bench.lua N   (N: work units; prints "check=<integer>")
local n = tonumber(arg[1]) or 10

local function lcg(s) return (s * 1103515245 + 12345) % 2147483648 end

-- sieve of Eratosthenes
local function sieve(m)
  local comp, count = {}, 0
  for i = 2, m do
    if not comp[i] then
      count = count + i % 7
      for j = i * i, m, i do comp[j] = true end
    end
  end
  return count
end

-- sort of random records by two keys, through a comparison closure
local function sorting(m, seed)
  local t = {}
  for i = 1, m do
    seed = lcg(seed)
    t[i] = { k = seed % 1000, v = seed }
  end
  table.sort(t, function(a, b)
    if a.k ~= b.k then return a.k < b.k end
    return a.v < b.v
  end)
  local h = 0
  for i = 1, m, 17 do h = (h * 31 + t[i].v) % 1000000007 end
  return h
end

-- string building, gsub and a word-frequency table
local function strings(m, seed)
  local parts = {}
  for i = 1, m do
    seed = lcg(seed)
    parts[i] = string.format("w%d", seed % 97)
  end
  local s = table.concat(parts, " ")
  s = s:gsub("w(%d)(%d?)", function(a, b) return "x" .. b .. a end)
  local freq, h = {}, 0
  for w in s:gmatch("%S+") do freq[w] = (freq[w] or 0) + 1 end
  local keys = {}
  for k in pairs(freq) do keys[#keys + 1] = k end
  table.sort(keys)
  for _, k in ipairs(keys) do h = (h * 131 + freq[k] + #k) % 1000000007 end
  return h
end

-- closures and varargs: a small fold
local function closures(m)
  local function adder(k) return function(x, ...) return x + k + select("#", ...) end end
  local fs = {}
  for i = 1, 64 do fs[i] = adder(i) end
  local acc = 0
  for i = 1, m do acc = fs[i % 64 + 1](acc, i, i) % 1000000007 end
  return acc
end

local check = 0
for round = 1, n do
  check = (check * 7 + sieve(200000)) % 1000000007
  check = (check * 7 + sorting(20000, round)) % 1000000007
  check = (check * 7 + strings(20000, round)) % 1000000007
  check = (check * 7 + closures(200000)) % 1000000007
end
print(string.format("check=%d", check))
