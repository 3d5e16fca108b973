using System.Collections;

namespace Pitts.Lab.Widgets;

/// <summary>
/// A training curve for a live plot that stays small however long the run: a point is kept every
/// <c>k</c>-th epoch, and when more than <paramref name="capacity"/> points are held, <c>k</c> doubles and the points
/// off the new stride are dropped (so the curve always spans the whole run at an even spacing).
/// </summary>
/// <typeparam name="T">A point, e.g. (epoch, train loss, validation loss).</typeparam>
/// <param name="capacity">Most points kept.</param>
/// <param name="epochOf">A point's epoch.</param>
public sealed class TrainingCurve<T>(int capacity, Func<T, int> epochOf) : IReadOnlyList<T>
{
    private readonly List<T> _points = [];
    private int _every = 1;

    /// <summary>Records <paramref name="point"/> if its epoch is on the current stride.</summary>
    public void Record(T point)
    {
        if (epochOf(point) % _every != 0) return;
        _points.Add(point);
        if (_points.Count <= capacity) return;
        _every *= 2;
        _points.RemoveAll(p => epochOf(p) % _every != 0);
    }

    /// <inheritdoc />
    public T this[int index] => _points[index];

    /// <inheritdoc />
    public int Count => _points.Count;

    /// <inheritdoc />
    public IEnumerator<T> GetEnumerator() => _points.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
