using System;
using System.Collections.Generic;
using System.Globalization;

namespace Atlas.Core.Rendering
{
    /// <summary>An overlay colour: a name (red, green …) or #RRGGBB.</summary>
    public struct RgbColor : IEquatable<RgbColor>
    {
        public RgbColor(byte r, byte g, byte b) { R = r; G = g; B = b; }

        public byte R { get; }
        public byte G { get; }
        public byte B { get; }

        private static readonly Dictionary<string, RgbColor> Names = new Dictionary<string, RgbColor>(StringComparer.OrdinalIgnoreCase)
        {
            { "red", new RgbColor(255, 0, 0) },
            { "green", new RgbColor(0, 200, 0) },
            { "lime", new RgbColor(0, 255, 0) },
            { "blue", new RgbColor(40, 90, 255) },
            { "yellow", new RgbColor(255, 230, 0) },
            { "cyan", new RgbColor(0, 220, 255) },
            { "magenta", new RgbColor(255, 0, 255) },
            { "orange", new RgbColor(255, 140, 0) },
            { "purple", new RgbColor(150, 60, 220) },
            { "white", new RgbColor(255, 255, 255) },
        };

        /// <summary>The colour names <see cref="Parse"/> knows (for tab completion and help).</summary>
        public static IEnumerable<string> KnownNames => Names.Keys;

        /// <summary>Colours given to overlays in order when none is named: red, green, blue, yellow, cyan, magenta, orange, purple.</summary>
        public static RgbColor DefaultFor(int index)
        {
            string[] order = { "red", "green", "blue", "yellow", "cyan", "magenta", "orange", "purple" };
            return Names[order[((index % order.Length) + order.Length) % order.Length]];
        }

        public static RgbColor Parse(string text)
        {
            if (TryParse(text, out var c)) return c;
            throw new ArgumentException("'" + text + "' is not a colour: use a name (" + string.Join(", ", Names.Keys) + ") or #RRGGBB.");
        }

        public static bool TryParse(string text, out RgbColor colour)
        {
            colour = default(RgbColor);
            if (string.IsNullOrWhiteSpace(text)) return false;
            text = text.Trim();
            if (Names.TryGetValue(text, out colour)) return true;
            if (text.StartsWith("#", StringComparison.Ordinal)) text = text.Substring(1);
            if (text.Length != 6) return false;
            if (!int.TryParse(text, NumberStyles.HexNumber, CultureInfo.InvariantCulture, out int v)) return false;
            colour = new RgbColor((byte)(v >> 16), (byte)(v >> 8), (byte)v);
            return true;
        }

        public bool Equals(RgbColor other) => R == other.R && G == other.G && B == other.B;
        public override bool Equals(object obj) => obj is RgbColor c && Equals(c);
        public override int GetHashCode() => (R << 16) | (G << 8) | B;
        public override string ToString() => "#" + R.ToString("X2") + G.ToString("X2") + B.ToString("X2");
    }
}
