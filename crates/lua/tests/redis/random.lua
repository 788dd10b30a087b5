-- math.random and math.randomseed as Redis replaces them (redisLrand48).
-- Expected output: redis-server 7.0.15 EVAL (tests/regen-golden).
local out = {}
local function add(...) local t = {} for i = 1, select('#', ...) do t[i] = tostring((select(i, ...))) end out[#out + 1] = table.concat(t, " ") end
math.randomseed(42)
for _ = 1, 5 do add(math.random()) end
for _ = 1, 5 do add(math.random(10)) end
for _ = 1, 5 do add(math.random(5, 7)) end
for _, seed in ipairs({0, 1, -1, 123456789, 2^31 + 5, -2^40, 3.9}) do
  math.randomseed(seed)
  add(seed, math.random(), math.random(1000000), math.random(-3, 3))
end
math.randomseed(7)
local hist = {0, 0, 0, 0, 0, 0}
for _ = 1, 6000 do local r = math.random(6) hist[r] = hist[r] + 1 end
add(unpack(hist))
add(pcall(math.random, 0))
add(pcall(math.random, 3, 1))
add(pcall(math.random, 1, 2, 3))
add(pcall(math.random, "x"))
add(pcall(math.randomseed))
add(pcall(math.randomseed, "x"))
math.randomseed(1)
add(math.random(2^31 - 1), math.random(-2^31, 2^31 - 1), math.random(1, 1))
return table.concat(out, "\n")
