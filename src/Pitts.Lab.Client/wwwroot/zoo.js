// The architecture zoo's drawing canvas (loaded as an ES module by the convolution page): the reader draws a digit with
// the mouse, pen or finger; on release the ink is averaged down to 140x140 bytes and sent to the server, which makes
// an MNIST-style 28x28 input of it and classifies it with the CNN.
const SIZE = 280, OUT = 140;

export function initCanvas(canvas, dotnet) {
    const ctx = canvas.getContext("2d");
    clearCanvas(canvas);
    let drawing = false, last = null;
    const pos = e => {
        const r = canvas.getBoundingClientRect();
        return [(e.clientX - r.left) * SIZE / r.width, (e.clientY - r.top) * SIZE / r.height];
    };
    const stroke = (a, b) => {
        ctx.strokeStyle = "white"; ctx.fillStyle = "white"; ctx.lineWidth = 22; ctx.lineCap = "round"; ctx.lineJoin = "round";
        ctx.beginPath(); ctx.moveTo(a[0], a[1]); ctx.lineTo(b[0], b[1]); ctx.stroke();
    };
    canvas.addEventListener("pointerdown", e => {
        drawing = true; last = pos(e);
        try { canvas.setPointerCapture(e.pointerId); } catch (_) { }
        stroke(last, last); e.preventDefault();
    });
    canvas.addEventListener("pointermove", e => {
        if (!drawing) return;
        const p = pos(e); stroke(last, p); last = p; e.preventDefault();
    });
    const end = () => {
        if (!drawing) return;
        drawing = false;
        const data = ctx.getImageData(0, 0, SIZE, SIZE).data, f = SIZE / OUT;
        let bin = "";
        for (let y = 0; y < OUT; y++)
            for (let x = 0; x < OUT; x++) {
                let s = 0;
                for (let dy = 0; dy < f; dy++) for (let dx = 0; dx < f; dx++) s += data[((y * f + dy) * SIZE + x * f + dx) * 4];
                bin += String.fromCharCode(Math.round(s / (f * f)));
            }
        dotnet.invokeMethodAsync("OnDrawn", btoa(bin));
    };
    canvas.addEventListener("pointerup", end);
    canvas.addEventListener("pointercancel", end);
    canvas.dataset.ready = "1";
}

export function clearCanvas(canvas) {
    const ctx = canvas.getContext("2d");
    ctx.fillStyle = "black";
    ctx.fillRect(0, 0, SIZE, SIZE);
}
