-- Small programs that use many parts together.
-- A serializer with sorted keys.
local function serialize(v, indent)
  indent = indent or ""
  local t = type(v)
  if t == "table" then
    local keys = {}
    for k in pairs(v) do keys[#keys + 1] = k end
    table.sort(keys, function(a, b)
      if type(a) == type(b) then return a < b end
      return type(a) < type(b)
    end)
    local parts = {}
    for _, k in ipairs(keys) do
      parts[#parts + 1] = indent .. "  " .. tostring(k) .. " = " .. serialize(v[k], indent .. "  ")
    end
    return "{\n" .. table.concat(parts, ",\n") .. "\n" .. indent .. "}"
  elseif t == "string" then
    return string.format("%q", v)
  else
    return tostring(v)
  end
end
print(serialize({name = "x", list = {1, 2, {deep = true}}, [5] = 0.5, flag = false}))
-- Word frequencies.
local text = [[the quick brown fox jumps over the lazy dog the fox]]
local freq = {}
for w in text:gmatch("%a+") do freq[w] = (freq[w] or 0) + 1 end
local words = {}
for w, n in pairs(freq) do words[#words + 1] = {w = w, n = n} end
table.sort(words, function(a, b) if a.n ~= b.n then return a.n > b.n end return a.w < b.w end)
for i = 1, 4 do print(words[i].w, words[i].n) end
-- A class with inheritance.
local Animal = {} Animal.__index = Animal
function Animal.new(name, sound) return setmetatable({name = name, sound = sound}, Animal) end
function Animal:speak() return self.name .. " says " .. self.sound end
local Dog = setmetatable({}, {__index = Animal}) Dog.__index = Dog
function Dog.new(name) local d = Animal.new(name, "woof") return setmetatable(d, Dog) end
function Dog:fetch() return self.name .. " fetches" end
local d = Dog.new("rex") print(d:speak(), d:fetch(), getmetatable(d) == Dog)
-- Queue with two indices.
local Q = {first = 1, last = 0, items = {}}
function Q.push(v) Q.last = Q.last + 1 Q.items[Q.last] = v end
function Q.pop() local v = Q.items[Q.first] Q.items[Q.first] = nil Q.first = Q.first + 1 return v end
for i = 1, 5 do Q.push(i * i) end print(Q.pop(), Q.pop(), Q.last - Q.first + 1)
-- Sieve of Eratosthenes.
local function sieve(n)
  local is = {} for i = 2, n do is[i] = true end
  for i = 2, math.floor(math.sqrt(n)) do if is[i] then for j = i * i, n, i do is[j] = false end end end
  local out = {} for i = 2, n do if is[i] then out[#out + 1] = i end end return out
end
local primes = sieve(100) print(#primes, table.concat(primes, " ", 1, 10), primes[#primes])
-- Producer/consumer with coroutines.
local function producer() return coroutine.wrap(function() for _, v in ipairs({"a", "b", "c"}) do coroutine.yield(v) end end) end
local function filter(src) return coroutine.wrap(function() for v in src do coroutine.yield(v:upper()) end end) end
local got = {} for v in filter(producer()) do got[#got + 1] = v end print(table.concat(got))
-- String building and escaping.
local csv = {}
for i, row in ipairs({{"a", "b,c"}, {'q"uote', "x"}}) do
  local cells = {}
  for j, cell in ipairs(row) do
    if cell:find('[,"]') then cell = '"' .. cell:gsub('"', '""') .. '"' end
    cells[j] = cell
  end
  csv[i] = table.concat(cells, ",")
end
print(table.concat(csv, "\n"))
-- Memoized fibonacci with a closure.
local function memoize(f) local cache = {} return function(n) local v = cache[n] if v == nil then v = f(n) cache[n] = v end return v end end
local fib fib = memoize(function(n) if n < 2 then return n end return fib(n - 1) + fib(n - 2) end)
print(fib(80), fib(30))
-- Varargs helpers.
local function map(f, ...) local t = {...} for i = 1, select('#', ...) do t[i] = f(t[i]) end return unpack(t, 1, select('#', ...)) end
print(map(function(x) return x and x * 2 end, 1, nil, 3))
print(select('#', map(tostring)))
-- Number formatting table.
for _, n in ipairs({0, 1, -1, 0.5, 1/3, 1e10, 1e20, 2^31, -2^63, 1e-3}) do
  print(string.format("%-12s %12.4f %12g %x", tostring(n), n, n, n % 2^32))
end
