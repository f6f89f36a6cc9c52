# bmp-colour-count.py BMP R G B: how many pixels of exactly that colour a
# 24- or 32-bit BMP (as SDL_SaveBMP writes) holds. Used by the SDL tests.
import struct
import sys

data = open(sys.argv[1], "rb").read()
offset, = struct.unpack_from("<I", data, 10)
width, height = struct.unpack_from("<ii", data, 18)
bpp, = struct.unpack_from("<H", data, 28)
r, g, b = (int(v) for v in sys.argv[2:5])
step, stride = bpp // 8, (width * bpp // 8 + 3) & ~3
count = 0
for row in range(abs(height)):
    line = data[offset + row * stride: offset + row * stride + width * step]
    count += sum(1 for i in range(0, len(line), step) if line[i:i + 3] == bytes((b, g, r)))
print(count)
