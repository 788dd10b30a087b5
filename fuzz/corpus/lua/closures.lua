-- Functions: closures and upvalues, varargs (and 5.1's implicit `arg`), multiple
-- results, tail calls, recursion, method calls.
local function counter()
  local n = 0
  return function() n = n + 1; return n end, function() return n end
end
local inc, get = counter()
inc() inc() print(get(), inc(), get())
local fs = {}
for i = 1, 3 do fs[i] = function() return i end end
print(fs[1](), fs[2](), fs[3]())
local gs = {}
local j = 0
while j < 3 do j = j + 1; local k = j; gs[j] = function() return k, j end end
print(gs[1](), gs[3]())
local hs = {}
for _, v in ipairs({"a", "b"}) do hs[#hs + 1] = function() return v end end
print(hs[1](), hs[2]())
local function shared()
  local x = 1
  local function get() return x end
  local function set(v) x = v end
  return get, set
end
local g, s = shared() s(42) print(g())
local function va(...) return select('#', ...), ... end
print(va()) print(va(nil)) print(va(1, nil, 3)) print(va(nil, nil))
local function old(...) return arg and arg.n, arg and arg[1] end
print(old(1, 2, 3)) print(old())
local function new(...) local a, b = ...; return a, b, arg end
print(new(1, 2))
local function pack(...) return {...}, select('#', ...) end
local p, n = pack(1, nil, 3) print(#p, n, p[3])
local function mr() return 1, 2, 3 end
print(mr(), mr()) print((mr())) print(({mr(), mr()})[4]) print(mr(), "x")
local a, b, c, d = mr() print(a, b, c, d)
local x, y = 1 print(x, y)
a, b = b, a print(a, b)
local t = {} t.a, t.b = 1, 2 print(t.a, t.b)
local i = 1 local arr = {} i, arr[i] = i + 1, 20 print(i, arr[1], arr[2])
local function fact(n) if n <= 1 then return 1 end return n * fact(n - 1) end
print(fact(10), fact(20))
local function tail(n, acc) if n == 0 then return acc end return tail(n - 1, acc + 1) end
print(tail(100000, 0))
local function even(n) if n == 0 then return true end return odd(n - 1) end
function odd(n) if n == 0 then return false end return even(n - 1) end
print(even(10), pcall(even, 7))
local obj = {v = 10}
function obj.get(self) return self.v end
function obj:add(n) self.v = self.v + n; return self end
print(obj:add(5):add(1):get(), obj.get(obj))
local str = "x" print(str:rep(3), ("%d"):format(7))
local function deep(n) if n == 0 then return 0 end return 1 + deep(n - 1) end
print(deep(10000))
local up = 0
local function bump() up = up + 1 end
for _ = 1, 10 do bump() end print(up)
do
  local captured = {}
  for i = 1, 3 do
    local v = i * 10
    captured[i] = function() v = v + 1; return v end
  end
  print(captured[1](), captured[1](), captured[2](), captured[3]())
end
local function outer()
  local a = 1
  local function mid()
    local b = 2
    return function() a = a + 1; b = b + 1; return a + b end
  end
  return mid(), function() return a end
end
local f1, f2 = outer() print(f1(), f1(), f2())
print((function(...) return select('#', ...) end)(1, 2, 3))
print(select('#', (function() end)()))
print(type(print), type(function() end))
local rec rec = function(n) return n > 0 and rec(n - 1) or "done" end print(rec(5))
local fib = function(n) local a, b = 0, 1 for i = 1, n do a, b = b, a + b end return a end
print(fib(50), fib(80))
