# A small, ordinary Python workload: build, serialise and parse some JSON, sort words.
import json, collections
d = [{"k": i, "v": str(i) * 10, "t": [i, i * 2]} for i in range(4000)]
s = json.dumps(d)
back = json.loads(s)
words = collections.Counter(w for line in s.split("}") for w in line.split('"') if w)
print(len(s), len(back), len(words.most_common(50)))
